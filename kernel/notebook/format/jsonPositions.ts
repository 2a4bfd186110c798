// A strict JSON parser that also records where every value starts (JSON path → line/column), so
// notebook validation errors can name the exact place in the file. Same grammar as JSON.parse.

export interface JsonPosition { offset: number; line: number; column: number }

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: JsonPosition) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface PositionedJson {
  value: unknown;
  /** Start of each value keyed by JSON path (`$`, `$.cells[0].source`). */
  positions: Map<string, JsonPosition>;
}

/** Child path of `parent` for an object key or array index, in `$.a.b[0]["odd key"]` form. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Arrays/objects nested deeper than this are refused: the parser recurses once per level, so a file nested
 * 100,000 deep would otherwise end in "Maximum call stack size exceeded" naming nothing. Notebooks nest a
 * handful of levels (outputs' JSON payloads a few more).
 */
export const MAX_JSON_DEPTH = 512;

export function parseJsonWithPositions(text: string): PositionedJson {
  const positions = new Map<string, JsonPosition>();
  let i = 0;
  // Line starts, so offsets turn into 1-based line/column cheaply.
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const pos = (offset: number): JsonPosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const fail = (msg: string, at = i): never => {
    const p = pos(Math.min(at, text.length));
    throw new JsonSyntaxError(`${msg} at line ${p.line}, column ${p.column}`, p);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= text.length) fail('Unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 34) { out += text.slice(chunk, i); i++; return out; }
      if (c < 32) fail('Control character in string');
      if (c === 92) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) { out += simple[e]; i += 2; }
        else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail('Bad escape');
        chunk = i;
      } else i++;
    }
  };
  const value = (path: string, depth: number): unknown => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) fail(`Arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels`);
    positions.set(path, pos(i));
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('Expected a property name');
        const key = str();
        ws();
        if (text[i] !== ':') fail("Expected ':'");
        i++;
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`Duplicate key ${JSON.stringify(key)}`);
        Object.defineProperty(obj, key, { value: value(childPath(path, key), depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail("Expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value(childPath(path, arr.length), depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!lit) return fail(i >= text.length ? 'Unexpected end of file' : `Unexpected character ${JSON.stringify(c)}`);
    i += lit[0].length;
    return lit[0] === 'true' ? true : lit[0] === 'false' ? false : lit[0] === 'null' ? null : Number(lit[0]);
  };
  const v = value('$', 0);
  ws();
  if (i < text.length) fail('Unexpected content after the JSON value');
  return { value: v, positions };
}
