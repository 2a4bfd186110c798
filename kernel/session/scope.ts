// The session's persistent top-level scope: every name a cell declares is a property of the kernel's
// global object, so later cells and earlier closures see the same live binding and V8 optimises
// the accesses like any global (no `with`, no proxies). `const`/`import` bindings become read-only
// (cell code is strict: assigning them throws). The kernel's own globals (process, console,
// setTimeout, …) cannot be redeclared; other globals may be shadowed and come back on reset.
// One Session owns its process's global scope.
import type { DeclKind } from './transpile';

/** Globals the kernel and its libraries rely on: a cell may not redeclare them. */
const PROTECTED = new Set([
  'process', 'console', 'Buffer', 'global', 'globalThis', 'require', 'module', 'exports', '__filename', '__dirname',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask',
  'structuredClone', 'AbortController', 'AbortSignal', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder',
  'performance', 'WebAssembly', 'Intl', 'Promise', 'Object', 'Array', 'Function', 'Symbol', 'Error', 'JSON', 'Math',
  'Reflect', 'Proxy', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'String', 'Number', 'Boolean', 'BigInt',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'fetch', 'EventTarget', 'Event',
  '__empathy_rt',
]);

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

export class Scope {
  private readonly g = globalThis as unknown as Record<string, unknown>;
  private readonly kinds = new Map<string, DeclKind>();
  /** Globals shadowed by a declaration or a builtin, restored by `clear()`. */
  private readonly shadowed = new Map<string, PropertyDescriptor | undefined>();
  private readonly builtinNames: string[] = [];

  /** `builtins` (display, empathy, sleep, …) become globals too; their getters stay lazy. */
  constructor(builtins: object) {
    for (const name of Object.getOwnPropertyNames(builtins)) {
      this.shadow(name);
      Object.defineProperty(this.g, name, { ...Object.getOwnPropertyDescriptor(builtins, name)!, configurable: true });
      this.builtinNames.push(name);
    }
  }

  private shadow(name: string): void {
    if (!this.shadowed.has(name)) this.shadowed.set(name, Object.getOwnPropertyDescriptor(this.g, name));
  }

  /** Names a cell may not declare (the kernel's globals), with the reason, or undefined. */
  check(name: string): string | undefined {
    if (this.kinds.has(name) || this.builtinNames.includes(name)) return undefined;
    if (PROTECTED.has(name)) return `'${name}' is a global the kernel relies on; choose another name`;
    const d = Object.getOwnPropertyDescriptor(this.g, name);
    if (d && !d.configurable) return `'${name}' is a built-in global that cannot be redeclared; choose another name`;
    return undefined;
  }

  /** (Re)declare `name`, starting undefined and writable (the cell's code then assigns it). */
  define(name: string, kind: DeclKind): void {
    const problem = this.check(name);
    if (problem) throw new ScopeError(problem);
    this.shadow(name);
    this.kinds.set(name, kind);
    Object.defineProperty(this.g, name, { value: undefined, writable: true, enumerable: false, configurable: true });
  }

  /** Make the names read-only (after a const/import assigned them). */
  lock(names: readonly string[]): void {
    for (const n of names) {
      if (!this.kinds.has(n)) continue;
      Object.defineProperty(this.g, n, { value: this.g[n], writable: false, enumerable: false, configurable: true });
    }
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  get(name: string): unknown {
    return this.kinds.has(name) ? this.g[name] : undefined;
  }

  kind(name: string): DeclKind | undefined {
    return this.kinds.get(name);
  }

  /** Declared names in first-declaration order. */
  names(): string[] {
    return [...this.kinds.keys()];
  }

  /** A plain snapshot `{ name: value }` (what tests read as `session.locals`). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of this.kinds.keys()) out[k] = this.g[k];
    return out;
  }

  /** Remove every declaration and builtin, restoring the globals they shadowed. */
  clear(): void {
    for (const [name, d] of this.shadowed) {
      if (d) Object.defineProperty(this.g, name, d);
      else delete this.g[name];
    }
    this.shadowed.clear();
    this.kinds.clear();
    this.builtinNames.length = 0;
  }
}
