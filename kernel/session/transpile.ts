// Cell transpilation: TypeScript cell source → JavaScript that runs inside the session's persistent
// scope, with a source map back to the cell. A TS `before` transformer rewrites the cell's top level:
//   const/let/var x = e      → x = e                (x is a global of the kernel; closures see it live)
//   function f() {}          → f = function f() {}  (hoisted to the cell's start)
//   class A {}               → A = class A {}
//   import * as m from 'p'   → m = ns(await rt.import('p'))   (default / named imports likewise)
//   import('p')              → rt.import('p')                 (resolved from the project, ESM or CJS)
//   last expression `e`      → return [e]                    (displayed Jupyter-like)
// and inserts `rt.tick()` after every top-level statement and at the top of every loop body that
// awaits, which throws once the execution was interrupted (an awaiting cell stops at the next statement).
import * as ts from 'typescript';
import type { CellDiagnostic } from '../protocol/kernel';

/** The global the generated code calls (cells must not declare it). */
export const RUNTIME_ID = '__empathy_rt';

export type DeclKind = 'const' | 'let' | 'var' | 'function' | 'class' | 'import' | 'enum';

export interface DeclaredName {
  name: string;
  kind: DeclKind;
}

export interface TranspiledCell {
  /** The cell as the body of an async function (no wrapper). */
  js: string;
  /** Source map (JSON) from `js` back to the cell source. */
  sourceMap: string;
  /** Names the cell declares at top level, in order (they persist in the scope). */
  declared: DeclaredName[];
  /** Syntax errors (the cell must not run when there are any). */
  syntaxErrors: CellDiagnostic[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  inlineSources: false,
  removeComments: false,
  esModuleInterop: true,
  // The session wraps cells in a strict script itself (no "use strict" per cell needed).
  alwaysStrict: false,
  useDefineForClassFields: true,
  experimentalDecorators: false,
};

/** Names bound by a binding name (identifier or destructuring pattern), in source order. */
export function boundNames(name: ts.BindingName, out: string[] = []): string[] {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(el.name, out);
  return out;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Top-level names a cell declares (values only), shared by the transformer and the type checker. */
export function declaredNames(sf: ts.SourceFile): DeclaredName[] {
  const out: DeclaredName[] = [];
  const seen = new Set<string>();
  const add = (name: string, kind: DeclKind) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, kind });
  };
  for (const s of sf.statements) {
    if (hasModifier(s, ts.SyntaxKind.DeclareKeyword)) continue;
    if (ts.isVariableStatement(s)) {
      const flags = s.declarationList.flags;
      const kind: DeclKind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const d of s.declarationList.declarations) for (const n of boundNames(d.name)) add(n, kind);
    } else if (ts.isFunctionDeclaration(s) && s.name && s.body) add(s.name.text, 'function');
    else if (ts.isClassDeclaration(s) && s.name) add(s.name.text, 'class');
    else if (ts.isEnumDeclaration(s)) add(s.name.text, 'enum');
    else if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name) && s.body) add(s.name.text, 'enum');
    else if (ts.isImportDeclaration(s) && s.importClause && !s.importClause.isTypeOnly) {
      const c = s.importClause;
      if (c.name) add(c.name.text, 'import');
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) add(c.namedBindings.name.text, 'import');
      if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
        for (const el of c.namedBindings.elements) if (!el.isTypeOnly) add(el.name.text, 'import');
      }
    } else if (ts.isImportEqualsDeclaration(s) && !s.isTypeOnly) add(s.name.text, 'import');
  }
  return out;
}

// ───────────────────────────── the transformer ─────────────────────────────

/** Whether `node` awaits (await / for await) outside nested functions. */
function awaits(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) {
      found = true;
      return;
    }
    if (ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  if (ts.isForOfStatement(node) && node.awaitModifier) found = true;
  return found;
}

function transformer(ctx: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  return (sf) => new TopLevelRewriter(ctx).sourceFile(sf);
}

/** What one top-level statement becomes: nothing, hoisted to the cell's start, the cell's value, or statements in place. */
type Rewritten =
  | { place: 'drop' }
  | { place: 'hoist'; statement: ts.Statement }
  | { place: 'return'; statement: ts.Statement }
  | { place: 'body'; statements: ts.Statement[] };

/** One cell's rewrite (see the file's opening comment): a visitor per kind of top-level statement. */
class TopLevelRewriter {
  private readonly f: ts.NodeFactory;
  /** Numbers the temporaries that hold imported modules (`__empathy_m0`, …). */
  private importIndex = 0;

  constructor(private readonly ctx: ts.TransformationContext) {
    this.f = ctx.factory;
  }

  sourceFile(sf: ts.SourceFile): ts.SourceFile {
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    const lastIndex = sf.statements.length - 1;
    sf.statements.forEach((raw, index) => {
      if (hasModifier(raw, ts.SyntaxKind.DeclareKeyword)) return;
      const s = ts.visitNode(raw, this.deep) as ts.Statement;
      const r = this.statement(s, index === lastIndex);
      if (r.place === 'hoist') hoisted.push(r.statement);
      else if (r.place === 'return') body.push(r.statement);
      else if (r.place === 'body') body.push(...r.statements, this.tick());
    });
    return this.f.updateSourceFile(sf, [...hoisted, ...body]);
  }

  private statement(s: ts.Statement, isLast: boolean): Rewritten {
    const f = this.f;
    if (ts.isImportDeclaration(s)) return this.importDeclaration(s);
    if (ts.isImportEqualsDeclaration(s)) return this.importEquals(s);
    if (ts.isVariableStatement(s)) return { place: 'body', statements: this.variableStatement(s) };
    if (ts.isFunctionDeclaration(s)) return this.functionDeclaration(s);
    if (ts.isClassDeclaration(s)) return this.classDeclaration(s);
    if (ts.isEnumDeclaration(s) || (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name))) return { place: 'body', statements: this.enumOrNamespace(s) };
    if (ts.isExportDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) return { place: 'drop' };
    if (ts.isExportAssignment(s)) return { place: 'body', statements: [this.keep(f.createExpressionStatement(s.expression), s)] };
    if (isLast && ts.isExpressionStatement(s)) {
      return { place: 'return', statement: this.keep(f.createReturnStatement(f.createArrayLiteralExpression([s.expression])), s) };
    }
    return { place: 'body', statements: [s] };
  }

  // ── statement visitors ──

  /** `import … from 'p'` → the module loaded once into a temporary, each name assigned from it, then locked. */
  private importDeclaration(s: ts.ImportDeclaration): Rewritten {
    const f = this.f;
    const c = s.importClause;
    if (c?.isTypeOnly) return { place: 'drop' };
    const spec = s.moduleSpecifier as ts.StringLiteral;
    const loaded = f.createAwaitExpression(this.rt('import', [f.createStringLiteral(spec.text)]));
    if (!c) return { place: 'body', statements: [this.keep(f.createExpressionStatement(loaded), s)] };
    const out: ts.Statement[] = [];
    const tmp = f.createIdentifier(`__empathy_m${this.importIndex++}`);
    out.push(this.keep(f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(tmp, undefined, undefined, loaded)], ts.NodeFlags.Const)), s));
    const names: string[] = [];
    const assign = (name: string, value: ts.Expression) => {
      names.push(name);
      out.push(this.assignment(name, value, s));
    };
    if (c.name) assign(c.name.text, this.rt('defaultOf', [tmp]));
    const nb = c.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) assign(nb.name.text, this.rt('namespaceOf', [tmp]));
    if (nb && ts.isNamedImports(nb)) {
      for (const el of nb.elements) {
        if (el.isTypeOnly) continue;
        const prop = (el.propertyName ?? el.name).text;
        assign(el.name.text, this.rt('member', [tmp, f.createStringLiteral(prop)]));
      }
    }
    out.push(this.lock(names));
    return { place: 'body', statements: out };
  }

  /** `import x = require('p')` / `import x = A.B` → an assignment. */
  private importEquals(s: ts.ImportEqualsDeclaration): Rewritten {
    if (s.isTypeOnly) return { place: 'drop' };
    const ref = s.moduleReference;
    const value = ts.isExternalModuleReference(ref) ? this.rt('require', [ref.expression]) : this.entityExpression(ref);
    return { place: 'body', statements: [this.assignment(s.name.text, value, s)] };
  }

  /** `A.B.C` as written in `import x = A.B.C` (a QualifiedName) → the property access it means. */
  private entityExpression(n: ts.EntityName): ts.Expression {
    if (ts.isIdentifier(n)) return n;
    return this.f.createPropertyAccessExpression(this.entityExpression(n.left), n.right);
  }

  /** `const/let/var` → assignments into the scope (destructuring kept); a const's names are then locked. */
  private variableStatement(s: ts.VariableStatement): ts.Statement[] {
    const f = this.f;
    const out: ts.Statement[] = [];
    const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
    const names: string[] = [];
    for (const d of s.declarationList.declarations) {
      boundNames(d.name, names);
      if (d.initializer) {
        const target = this.toTarget(d.name);
        const assignment = f.createAssignment(target, d.initializer);
        // Object patterns need parentheses to parse as an expression statement.
        const expr = ts.isObjectBindingPattern(d.name) ? f.createParenthesizedExpression(assignment) : assignment;
        out.push(this.keep(f.createExpressionStatement(expr), d));
      }
    }
    if (isConst && names.length > 0) out.push(this.lock(names));
    return out;
  }

  /** `function f() {}` → `f = function f() {}`, hoisted as a declaration would be. */
  private functionDeclaration(s: ts.FunctionDeclaration): Rewritten {
    if (!s.body || !s.name) return { place: 'drop' };
    const mods = (ts.getModifiers(s) ?? []).filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const fn = this.keep(this.f.createFunctionExpression(mods, s.asteriskToken, s.name.text, s.typeParameters, s.parameters, s.type, s.body), s);
    return { place: 'hoist', statement: this.assignment(s.name.text, fn, s) };
  }

  /** `class A {}` → `A = class A {}`. */
  private classDeclaration(s: ts.ClassDeclaration): Rewritten {
    if (!s.name) return { place: 'drop' };
    const mods = (s.modifiers ?? []).filter((m) => ts.isDecorator(m));
    const cls = this.keep(this.f.createClassExpression(mods, s.name.text, s.typeParameters, s.heritageClauses, s.members), s);
    return { place: 'body', statements: [this.assignment(s.name.text, cls, s)] };
  }

  /** TS emits `var E; (function (E) {…})(E || (E = {}))`: keep it local, then publish it. */
  private enumOrNamespace(s: ts.EnumDeclaration | ts.ModuleDeclaration): ts.Statement[] {
    const f = this.f;
    const stripped = ts.isEnumDeclaration(s)
      ? f.updateEnumDeclaration(s, undefined, s.name, s.members)
      : f.updateModuleDeclaration(s, undefined, s.name, s.body);
    const n = (s.name as ts.Identifier).text;
    return [stripped, f.createExpressionStatement(this.rt('publish', [f.createStringLiteral(n), f.createIdentifier(n)]))];
  }

  // ── any depth ──

  /** Insert rt.tick() at the top of every loop body (any depth) and rewrite import() calls. */
  private readonly deep = (node: ts.Node): ts.Node => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      return this.keep(this.rt('import', node.arguments.map((a) => ts.visitNode(a, this.deep) as ts.Expression)), node);
    }
    const visited = ts.visitEachChild(node, this.deep, this.ctx);
    // Only loops that await can see an interrupt (a synchronous loop never yields to the event loop).
    if (ts.isIterationStatement(visited, false) && awaits(node)) return this.withTick(visited);
    return visited;
  };

  /** The loop with rt.tick() first in its body. */
  private withTick(loop: ts.IterationStatement): ts.Node {
    const f = this.f;
    const body = loop.statement;
    const withTick = f.createBlock([this.tick(), ...(ts.isBlock(body) ? body.statements : [body])], true);
    if (ts.isForStatement(loop)) return f.updateForStatement(loop, loop.initializer, loop.condition, loop.incrementor, withTick);
    if (ts.isForOfStatement(loop)) return f.updateForOfStatement(loop, loop.awaitModifier, loop.initializer, loop.expression, withTick);
    if (ts.isForInStatement(loop)) return f.updateForInStatement(loop, loop.initializer, loop.expression, withTick);
    if (ts.isWhileStatement(loop)) return f.updateWhileStatement(loop, loop.expression, withTick);
    if (ts.isDoStatement(loop)) return f.updateDoStatement(loop, withTick, loop.expression);
    return loop;
  }

  /** Binding pattern → assignment pattern, so destructuring assigns into the scope. */
  private toTarget(name: ts.BindingName): ts.Expression {
    const f = this.f;
    if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
    if (ts.isObjectBindingPattern(name)) {
      return this.keep(f.createObjectLiteralExpression(name.elements.map((el): ts.ObjectLiteralElementLike => {
        if (el.dotDotDotToken) return f.createSpreadAssignment(this.toTarget(el.name));
        const target = this.toTarget(el.name);
        const value = el.initializer ? f.createAssignment(target, el.initializer) : target;
        if (!el.propertyName && ts.isIdentifier(el.name)) {
          return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
        }
        const key = el.propertyName ?? (el.name as ts.Identifier);
        return f.createPropertyAssignment(key as ts.PropertyName, value);
      })), name);
    }
    return this.keep(f.createArrayLiteralExpression(name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = this.toTarget(el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createAssignment(target, el.initializer) : target;
    })), name);
  }

  // ── the generated code's building blocks ──

  /** `__empathy_rt.method(...args)`. */
  private rt(method: string, args: ts.Expression[]): ts.CallExpression {
    const f = this.f;
    return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_ID), method), undefined, args);
  }

  private tick(): ts.Statement {
    return this.f.createExpressionStatement(this.rt('tick', []));
  }

  /** `rt.lock([names])`: the names become read-only in the scope (const, imports). */
  private lock(names: string[]): ts.Statement {
    const f = this.f;
    return f.createExpressionStatement(this.rt('lock', [f.createArrayLiteralExpression(names.map((n) => f.createStringLiteral(n)))]));
  }

  /** `name = value;`, mapped to `original` in the source map. */
  private assignment(name: string, value: ts.Expression, original: ts.Node): ts.Statement {
    const f = this.f;
    return this.keep(f.createExpressionStatement(f.createAssignment(f.createIdentifier(name), value)), original);
  }

  /** `node` stands for `original`: same text range (source map) and original node. */
  private keep<T extends ts.Node>(node: T, original: ts.Node): T {
    return ts.setTextRange(ts.setOriginalNode(node, original), original);
  }
}

function toDiagnostic(d: ts.Diagnostic): CellDiagnostic {
  const file = d.file!;
  const start = d.start ?? 0;
  const end = start + (d.length ?? 0);
  const a = file.getLineAndCharacterOfPosition(start);
  const b = file.getLineAndCharacterOfPosition(end);
  return {
    severity: 'error', code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1, source: 'syntax',
  };
}

/** Transpile one cell. `fileName` names the source in the source map (e.g. `cell-<id>.ts`). */
export function transpileCell(code: string, fileName: string): TranspiledCell {
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const parseDiagnostics = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const declared = declaredNames(sf);
  for (const d of declared) {
    if (d.name === RUNTIME_ID) {
      throw new Error(`${d.name} is reserved by the notebook kernel`);
    }
  }
  if (parseDiagnostics.length > 0) {
    return { js: '', sourceMap: '', declared, syntaxErrors: parseDiagnostics.map(toDiagnostic) };
  }
  const out = ts.transpileModule(code, {
    compilerOptions: COMPILER_OPTIONS,
    fileName,
    reportDiagnostics: true,
    transformers: { before: [transformer] },
  });
  const syntaxErrors = (out.diagnostics ?? []).filter((d) => d.file && d.category === ts.DiagnosticCategory.Error).map(toDiagnostic);
  // Drop the module marker and the map comment: the code runs as a function body.
  const js = out.outputText
    .replace(/^\s*export \{\};?\s*$/m, '')
    .replace(/\/\/# sourceMappingURL=.*$/m, '');
  return { js, sourceMap: out.sourceMapText ?? '', declared, syntaxErrors };
}
