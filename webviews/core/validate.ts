// Payload validation: check `v` and the required fields, throwing a PayloadError that names the field.
// Renderers validate before touching the DOM, so a bad payload becomes an error box, never a blank area.
import { PayloadError } from './errorBox';

type Obj = Record<string, unknown>;

export class Checker {
  constructor(readonly mime: string) {}

  fail(path: string, problem: string): never {
    throw new PayloadError(this.mime, path, problem);
  }

  /** The payload is an object whose `v` is the version this renderer understands. */
  payload(p: unknown, version: number): Obj {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) this.fail('', `payload must be a JSON object, got ${describe(p)}`);
    const v = (p as Obj).v;
    if (v === undefined) this.fail('v', 'missing payload version `v`');
    if (v !== version) this.fail('v', `unsupported payload version ${JSON.stringify(v)} (this renderer reads v=${version})`);
    return p as Obj;
  }

  obj(x: unknown, path: string): Obj {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) this.fail(path, `expected an object, got ${describe(x)}`);
    return x as Obj;
  }

  arr(x: unknown, path: string): unknown[] {
    if (!Array.isArray(x)) this.fail(path, `expected an array, got ${describe(x)}`);
    return x;
  }

  num(x: unknown, path: string): number {
    if (typeof x !== 'number' || Number.isNaN(x)) this.fail(path, `expected a number, got ${describe(x)}`);
    return x;
  }

  /** A number, or null (JSON has no NaN: producers write null for "not available"). */
  numOrNull(x: unknown, path: string): number | null {
    return x === null ? null : this.num(x, path);
  }

  str(x: unknown, path: string): string {
    if (typeof x !== 'string') this.fail(path, `expected a string, got ${describe(x)}`);
    return x;
  }

  level(x: unknown, path: string): 0 | 1 | 2 {
    if (x !== 0 && x !== 1 && x !== 2) this.fail(path, `expected a level 0, 1 or 2, got ${describe(x)}`);
    return x;
  }

  mechanism(x: unknown, path: string): 'ER' | 'IP' | 'EX' {
    if (x !== 'ER' && x !== 'IP' && x !== 'EX') this.fail(path, `expected a mechanism ER, IP or EX, got ${describe(x)}`);
    return x;
  }

  /** [[start, end], ...] character offsets with 0 <= start <= end. */
  spans(x: unknown, path: string): Array<[number, number]> {
    const a = this.arr(x, path);
    a.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'number' || typeof s[1] !== 'number' || s[0] > s[1] || s[0] < 0) {
        this.fail(`${path}[${i}]`, `expected a [start, end] offset pair, got ${describe(s)}`);
      }
    });
    return a as Array<[number, number]>;
  }

  /** A required key must be present (any type). */
  has(o: Obj, key: string, path: string): unknown {
    if (!(key in o)) this.fail(path ? `${path}.${key}` : key, 'missing required field');
    return o[key];
  }
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing (missing)';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}
