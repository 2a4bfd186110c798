// Module loading for cells: `import`/`require`/`import()` resolve from the project folder first,
// then from the workbench's own node_modules (tfjs, danfojs… ship with it); 'empathy' is the
// workbench API. CommonJS packages are required, ESM-only ones imported.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHIPPED_PACKAGES } from './shippedPackages';

export type ApiLoader = () => unknown;

export class CellModules {
  private readonly projectRequire: NodeRequire;

  constructor(readonly cwd: string, private readonly loadApi: ApiLoader) {
    this.projectRequire = createRequire(path.join(path.resolve(cwd), '__empathy_cell__.js'));
  }

  private resolve(spec: string): string {
    if (spec.startsWith('.') || path.isAbsolute(spec)) return this.projectRequire.resolve(path.resolve(this.cwd, spec));
    try {
      return this.projectRequire.resolve(spec);
    } catch {
      return require.resolve(spec);
    }
  }

  /** Synchronous require (CommonJS) with the project-first resolution, then the packages the workbench ships. */
  require(spec: string): unknown {
    if (spec === 'empathy' || spec === 'empathy-workbench') return this.loadApi();
    if (spec.startsWith('node:')) return require(spec);
    const shipped = Object.hasOwn(SHIPPED_PACKAGES, spec) ? SHIPPED_PACKAGES[spec] : undefined;
    if (shipped && !this.inProject(spec)) return shipped();
    return require(this.resolve(spec));
  }

  private inProject(spec: string): boolean {
    try {
      this.projectRequire.resolve(spec);
      return true;
    } catch {
      return false;
    }
  }

  /** `import`: require when possible, dynamic import for ESM-only packages. */
  async import(spec: string): Promise<unknown> {
    if (spec === 'empathy' || spec === 'empathy-workbench') return this.loadApi();
    try {
      return this.require(spec);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'MODULE_NOT_FOUND' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw e;
      let target = spec;
      try {
        target = pathToFileURL(this.resolve(spec)).href;
      } catch {
        // Packages whose "exports" only have an "import" condition: let Node's ESM resolver try.
      }
      try {
        return await import(target);
      } catch (e2) {
        if (code === 'MODULE_NOT_FOUND') throw e;
        throw e2;
      }
    }
  }
}

/** `import d from 'm'` with esModuleInterop semantics. */
export function defaultOf(mod: unknown): unknown {
  if (mod && typeof mod === 'object' && (mod as { __esModule?: boolean }).__esModule) return (mod as { default?: unknown }).default;
  if (mod && typeof mod === 'object' && Object.prototype.toString.call(mod) === '[object Module]') return (mod as { default?: unknown }).default;
  return mod;
}

/** `import * as m from 'm'`. */
export function namespaceOf(mod: unknown): unknown {
  return mod;
}

/** `import { x } from 'm'`: ESM namespaces of CommonJS modules keep names on `default` too. */
export function member(mod: unknown, name: string): unknown {
  if (mod === null || mod === undefined) return undefined;
  const m = mod as Record<string, unknown>;
  if (name in m) return m[name];
  const d = m.default as Record<string, unknown> | undefined;
  return d && typeof d === 'object' ? d[name] : undefined;
}
