// The session's persistent top-level scope: every name a cell declares lives here (as an accessor on
// a null-prototype object the cell code runs `with`), so later cells and earlier closures see the
// same live binding. `const`/`import` bindings reject assignment; re-running a declaration redefines.
import type { DeclKind } from './transpile';

export class Scope {
  /** The object cell code runs `with`: own names = cell declarations, prototype = the builtins. */
  readonly target: Record<string, unknown>;
  private readonly values = new Map<string, unknown>();
  private readonly kinds = new Map<string, DeclKind>();
  private readonly locked = new Set<string>();

  /** `builtins` becomes the prototype (its getters stay lazy); cell declarations shadow it. */
  constructor(builtins: object) {
    this.target = Object.create(builtins);
  }

  /** (Re)declare `name`, starting undefined and unlocked (the cell's code then assigns it). */
  define(name: string, kind: DeclKind): void {
    this.values.set(name, undefined);
    this.kinds.set(name, kind);
    this.locked.delete(name);
    Object.defineProperty(this.target, name, {
      configurable: true,
      enumerable: true,
      get: () => this.values.get(name),
      set: (v: unknown) => {
        if (this.locked.has(name)) throw new TypeError(`Assignment to constant variable '${name}'.`);
        this.values.set(name, v);
      },
    });
  }

  /** Make the names read-only (after a const/import assigned them). */
  lock(names: readonly string[]): void {
    for (const n of names) if (this.kinds.has(n)) this.locked.add(n);
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  get(name: string): unknown {
    return this.values.get(name);
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
    for (const [k, v] of this.values) out[k] = v;
    return out;
  }
}
