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
  return new PositionedJsonParser(text).document();
}

/** The one-character escapes JSON allows after a backslash, and what each stands for. */
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The literals (true, false, null, numbers) JSON allows, matched at the cursor. */
const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

/**
 * One parse of one text: a cursor over it, one method per kind of token. Recursion is one `value` →
 * `object`/`array` → `value` round per nesting level, so MAX_JSON_DEPTH bounds the stack.
 */
class PositionedJsonParser {
  private readonly positions = new Map<string, JsonPosition>();
  /** The cursor: offset of the next character to read. */
  private i = 0;
  /** Line starts, so offsets turn into 1-based line/column cheaply. */
  private readonly lineStarts = [0];

  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  /** The whole text as one JSON value, nothing after it but whitespace. */
  document(): PositionedJson {
    const v = this.value('$', 0);
    this.ws();
    if (this.i < this.text.length) this.fail('Unexpected content after the JSON value');
    return { value: v, positions: this.positions };
  }

  private pos(offset: number): JsonPosition {
    const { lineStarts } = this;
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - lineStarts[lo] + 1 };
  }

  private fail(msg: string, at = this.i): never {
    const p = this.pos(Math.min(at, this.text.length));
    throw new JsonSyntaxError(`${msg} at line ${p.line}, column ${p.column}`, p);
  }

  private ws(): void {
    while (this.i < this.text.length) {
      const c = this.text.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++; else break;
    }
  }

  private value(path: string, depth: number): unknown {
    this.ws();
    const c = this.text[this.i];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) this.fail(`Arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.positions.set(path, this.pos(this.i));
    if (c === '{') return this.object(path, depth);
    if (c === '[') return this.array(path, depth);
    if (c === '"') return this.string();
    return this.literal();
  }

  private object(path: string, depth: number): Record<string, unknown> {
    const { text } = this;
    this.i++;
    const obj: Record<string, unknown> = {};
    this.ws();
    if (text[this.i] === '}') { this.i++; return obj; }
    for (;;) {
      this.ws();
      if (text[this.i] !== '"') this.fail('Expected a property name');
      const key = this.string();
      this.ws();
      if (text[this.i] !== ':') this.fail("Expected ':'");
      this.i++;
      if (Object.prototype.hasOwnProperty.call(obj, key)) this.fail(`Duplicate key ${JSON.stringify(key)}`);
      // defineProperty, not assignment: a "__proto__" key is an own property, as with JSON.parse.
      Object.defineProperty(obj, key, { value: this.value(childPath(path, key), depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      if (text[this.i] === ',') { this.i++; continue; }
      if (text[this.i] === '}') { this.i++; return obj; }
      this.fail("Expected ',' or '}'");
    }
  }

  private array(path: string, depth: number): unknown[] {
    const { text } = this;
    this.i++;
    const arr: unknown[] = [];
    this.ws();
    if (text[this.i] === ']') { this.i++; return arr; }
    for (;;) {
      arr.push(this.value(childPath(path, arr.length), depth + 1));
      this.ws();
      if (text[this.i] === ',') { this.i++; continue; }
      if (text[this.i] === ']') { this.i++; return arr; }
      this.fail("Expected ',' or ']'");
    }
  }

  private string(): string {
    const { text } = this;
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    let chunk = this.i;
    for (;;) {
      if (this.i >= text.length) this.fail('Unterminated string', start);
      const c = text.charCodeAt(this.i);
      if (c === 34) { out += text.slice(chunk, this.i); this.i++; return out; }
      if (c < 32) this.fail('Control character in string');
      if (c === 92) {
        out += text.slice(chunk, this.i) + this.escape();
        chunk = this.i;
      } else this.i++;
    }
  }

  /** The escape at the cursor (a backslash and what follows), decoded; the cursor moves past it. */
  private escape(): string {
    const e = this.text[this.i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) { this.i += 2; return SIMPLE_ESCAPES[e]; }
    if (e !== 'u') this.fail('Bad escape');
    const hex = this.text.slice(this.i + 2, this.i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Bad \\u escape');
    this.i += 6;
    return String.fromCharCode(parseInt(hex, 16));
  }

  private literal(): unknown {
    const lit = LITERAL.exec(this.text.slice(this.i, this.i + 400));
    if (!lit) return this.fail(this.i >= this.text.length ? 'Unexpected end of file' : `Unexpected character ${JSON.stringify(this.text[this.i])}`);
    this.i += lit[0].length;
    return lit[0] === 'true' ? true : lit[0] === 'false' ? false : lit[0] === 'null' ? null : Number(lit[0]);
  }
}
