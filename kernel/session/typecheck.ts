// Type checking of cells: one TypeScript language service over a virtual module
// `<cwd>/__empathy_cell__.ts` = prelude (the declarations of every earlier cell, latest wins) + the
// cell. Diagnostics are mapped to the cell's own 1-based line/column; errors in the prelude are
// ignored (they were reported when their cell ran). Also serves completions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { SHIPPED_PACKAGES } from './shippedPackages';
import type { CellDiagnostic, CompletionItem } from '../protocol/kernel';
import { boundNames, declaredNames } from './transpile';

/** Where the workbench API's TypeScript source lives (for `import … from 'empathy'`). */
function apiSourcePath(): string | undefined {
  const candidates = [path.resolve(__dirname, '../../../kernel/api/index.ts'), path.resolve(__dirname, '../api/index.ts')];
  return candidates.find((p) => fs.existsSync(p));
}

export interface TypecheckOptions {
  /** Folder cells' imports resolve from (default process.cwd()). */
  cwd?: string;
}

const COMMON_GLOBALS = `/** Aborted when the running cell is interrupted. */
declare const signal: AbortSignal;
/** Resolves after ms milliseconds; rejects when the cell is interrupted. */
declare function sleep(ms: number): Promise<void>;
`;
// Globals every cell sees (kernel/session/session.ts provides them). The API's types pull in the
// engine and tfjs typings (seconds to load), so they are only loaded once a cell mentions them.
const API_GLOBALS = `declare const empathy: typeof import('empathy');
declare const display: typeof import('empathy').display;
${COMMON_GLOBALS}`;
const LIGHT_GLOBALS = `declare const empathy: any;
declare const display: any;
${COMMON_GLOBALS}`;
const USES_API = /\b(empathy|display)\b/;

interface PreludeEntry {
  /** Declaration text carried to later cells. */
  text: string;
}

export class CellTypechecker {
  private readonly cwd: string;
  private readonly cellFile: string;
  private readonly globalsFile: string;
  private readonly files = new Map<string, { text: string; version: number }>();
  /** name → declaration, in declaration order (a redefinition moves it to the end). */
  private readonly prelude = new Map<string, PreludeEntry>();
  private readonly service: ts.LanguageService;
  private readonly options: ts.CompilerOptions;
  private readonly api: string | undefined;
  private apiTyped = false;

  constructor(opts: TypecheckOptions = {}) {
    this.cwd = path.resolve(opts.cwd ?? process.cwd());
    this.cellFile = path.join(this.cwd, '__empathy_cell__.ts');
    this.globalsFile = path.join(this.cwd, '__empathy_globals__.d.ts');
    const api = apiSourcePath();
    // The packaged .vsix ships the types of the packages it carries for cells (shippedPackages.ts) in
    // node_modules beside the bundled kernel and this checker's thread (extension/bundle.mjs): cells'
    // imports are looked up there first, then as usual. Absent from the repository layout.
    const shipped = fs.existsSync(path.join(__dirname, 'node_modules')) ? path.join(__dirname, 'node_modules') : undefined;
    // In the repository layout, a notebook outside it (a Jupyter server's folder) still finds the shipped
    // packages' types: its own node_modules first, then the workbench's, as the runtime resolves them.
    const repoModules = path.resolve(__dirname, '../../../node_modules');
    const shippedInRepo = shipped ? {} : Object.fromEntries(Object.keys(SHIPPED_PACKAGES)
      .filter((name) => fs.existsSync(path.join(repoModules, name)))
      .map((name) => [name, [path.join(this.cwd, 'node_modules', name), path.join(repoModules, name)]]));
    this.options = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      resolveJsonModule: true,
      strict: true,
      // Notebook code is exploratory: untyped callback parameters are fine, real type errors are not.
      noImplicitAny: false,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      // Repository layout (out/kernel/session → node_modules/@types), the packaged .vsix (types/ beside the
      // bundled kernel, extension/bundle.mjs), then the notebook folder's own.
      typeRoots: [path.resolve(__dirname, '../../../node_modules/@types'), path.join(__dirname, 'types'), path.join(this.cwd, 'node_modules/@types')],
      paths: { ...(api ? { empathy: [api] } : {}), ...shippedInRepo, ...(shipped ? { '*': [path.join(shipped, '*')] } : {}) },
    };
    this.api = api;
    this.setFile(this.globalsFile, api ? LIGHT_GLOBALS : `declare module 'empathy';\n${LIGHT_GLOBALS}`);
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [this.globalsFile, this.cellFile],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return ts.ScriptSnapshot.fromString(v.text);
        if (!fs.existsSync(f)) return undefined;
        return ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8'));
      },
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private setFile(file: string, text: string): void {
    const prev = this.files.get(file);
    if (prev?.text === text) return;
    this.files.set(file, { text, version: (prev?.version ?? 0) + 1 });
  }

  /** The prelude for a cell that (re)declares `own` names: those are left out (the cell redefines them). */
  private preludeText(own: ReadonlySet<string>): string {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const [name, e] of this.prelude) {
      if (own.has(name) || seen.has(e.text)) continue;
      seen.add(e.text);
      parts.push(e.text);
    }
    return parts.length ? parts.join('\n') + '\n' : '';
  }

  private load(code: string): { sf: ts.SourceFile; preludeLength: number; preludeLines: number; program: ts.Program } {
    const own = new Set(topLevelNames(ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS)));
    const prelude = this.preludeText(own);
    if (!this.apiTyped && this.api && USES_API.test(code)) {
      this.apiTyped = true;
      this.setFile(this.globalsFile, API_GLOBALS);
    }
    this.setFile(this.cellFile, `${prelude}${code}\nexport {};\n`);
    const program = this.service.getProgram()!;
    const sf = program.getSourceFile(this.cellFile)!;
    return { sf, preludeLength: prelude.length, preludeLines: prelude.split('\n').length - 1, program };
  }

  /** Type-check `code` as the next cell; does not record its declarations (see `commit`). */
  check(code: string): CellDiagnostic[] {
    const { sf, preludeLength, preludeLines } = this.load(code);
    const all = [...this.service.getSyntacticDiagnostics(this.cellFile), ...this.service.getSemanticDiagnostics(this.cellFile)];
    const out: CellDiagnostic[] = [];
    const codeEnd = preludeLength + code.length;
    for (const d of all) {
      if (d.start === undefined || d.start < preludeLength || d.start > codeEnd) continue;
      if (d.code === 1375 || d.code === 1378) continue; // top-level await: fine in cells
      const a = sf.getLineAndCharacterOfPosition(d.start);
      const b = sf.getLineAndCharacterOfPosition(Math.min(d.start + (d.length ?? 0), codeEnd));
      out.push({
        severity: d.category === ts.DiagnosticCategory.Error ? 'error' : d.category === ts.DiagnosticCategory.Warning ? 'warning' : 'info',
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        line: a.line - preludeLines + 1,
        column: a.character + 1,
        endLine: b.line - preludeLines + 1,
        endColumn: b.character + 1,
        source: 'typescript',
      });
    }
    return out;
  }

  /**
   * Record the cell's top-level declarations for later cells: variables as `declare const x: T`
   * (T as the checker inferred it), functions/classes/interfaces/types/enums by their source text,
   * imports one binding per statement. `typed` false (cell ran unchecked) records variables as any.
   */
  commit(code: string, typed = true): void {
    const { sf, preludeLength, program } = this.load(code);
    const checker = typed ? program.getTypeChecker() : undefined;
    const src = (n: ts.Node) => sf.text.slice(n.getStart(sf), n.getEnd());
    const cellStatements = sf.statements.filter((s) => s.getStart(sf) >= preludeLength);
    const strip = (text: string) => text.replace(/^export\s+(default\s+)?/, '');
    const put = (name: string, text: string) => {
      this.prelude.delete(name);
      this.prelude.set(name, { text });
    };
    for (const s of cellStatements) {
      if (ts.isVariableStatement(s)) {
        const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
        const isDeclare = (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
        for (const d of s.declarationList.declarations) {
          const visit = (name: ts.BindingName) => {
            if (ts.isIdentifier(name)) {
              let type = 'any';
              if (d.type && ts.isIdentifier(d.name)) type = src(d.type);
              else if (checker) {
                const t = checker.getTypeAtLocation(name);
                // Fully qualified (`import("…").TrainData`): the names the cell saw may not be in scope later.
                const printed = checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType);
                if (!printed.includes('...') && printed !== 'error') type = printed;
              }
              put(name.text, `declare ${isConst && !isDeclare ? 'const' : 'let'} ${name.text}: ${type};`);
            } else for (const el of name.elements) if (!ts.isOmittedExpression(el)) visit(el.name);
          };
          visit(d.name);
        }
      } else if (ts.isImportDeclaration(s) && s.importClause) {
        const c = s.importClause;
        const from = src(s.moduleSpecifier);
        const type = c.isTypeOnly ? 'type ' : '';
        if (c.name) put(c.name.text, `import ${type}${c.name.text} from ${from};`);
        const nb = c.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) put(nb.name.text, `import ${type}* as ${nb.name.text} from ${from};`);
        if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) put(el.name.text, `import ${type}{ ${src(el)} } from ${from};`);
      } else if (ts.isImportEqualsDeclaration(s)) {
        put(s.name.text, src(s));
      } else if (ts.isFunctionDeclaration(s) && s.name) {
        // Overloads + implementation: collect every statement declaring this function name.
        const name = s.name.text;
        const all = cellStatements.filter((x) => ts.isFunctionDeclaration(x) && x.name?.text === name).map((x) => strip(src(x)));
        put(name, all.join('\n'));
      } else if ((ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) ||
        ts.isModuleDeclaration(s)) && s.name && ts.isIdentifier(s.name)) {
        put(s.name.text, strip(src(s)));
      }
    }
  }

  /** Completions at `offset` in `code` seen as the next cell. */
  complete(code: string, offset: number): { items: CompletionItem[]; from: number; to: number } {
    const { preludeLength } = this.load(code);
    const res = this.service.getCompletionsAtPosition(this.cellFile, preludeLength + offset, { includeCompletionsForModuleExports: false });
    let from = offset;
    while (from > 0 && /[\w$]/.test(code[from - 1])) from--;
    const kindOf = (k: string): CompletionItem['kind'] => {
      switch (k) {
        case 'var': case 'let': case 'const': case 'local var': case 'parameter': return 'variable';
        case 'function': case 'local function': return 'function';
        case 'class': case 'interface': case 'type': case 'enum': return 'class';
        case 'property': case 'getter': case 'setter': return 'property';
        case 'method': return 'method';
        case 'keyword': return 'keyword';
        case 'module': case 'alias': return 'module';
        default: return 'other';
      }
    };
    const items = (res?.entries ?? [])
      .filter((e) => !e.name.startsWith('__empathy'))
      .slice(0, 500)
      .map((e) => ({ label: e.name, kind: kindOf(e.kind) }));
    return { items, from, to: offset };
  }

  /** Forget every earlier declaration (kernel restart within the same process). */
  reset(): void {
    this.prelude.clear();
  }
}

/** Every top-level name a cell declares, types included (they replace earlier ones in the prelude). */
function topLevelNames(sf: ts.SourceFile): string[] {
  const out = declaredNames(sf).map((d) => d.name);
  for (const s of sf.statements) {
    if ((ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name) out.push(s.name.text);
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) boundNames(d.name, out);
    if (ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) {
      const c = s.importClause;
      if (c.name) out.push(c.name.text);
      if (c.namedBindings && ts.isNamedImports(c.namedBindings)) for (const el of c.namedBindings.elements) out.push(el.name.text);
    }
  }
  return out;
}
