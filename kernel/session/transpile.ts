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
  const f = ctx.factory;
  const rt = (method: string, args: ts.Expression[]) =>
    f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_ID), method), undefined, args);
  const tick = () => f.createExpressionStatement(rt('tick', []));
  const keep = <T extends ts.Node>(node: T, original: ts.Node): T => ts.setTextRange(ts.setOriginalNode(node, original), original);

  /** Binding pattern → assignment pattern, so destructuring assigns into the scope. */
  const toTarget = (name: ts.BindingName): ts.Expression => {
    if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
    if (ts.isObjectBindingPattern(name)) {
      return keep(f.createObjectLiteralExpression(name.elements.map((el): ts.ObjectLiteralElementLike => {
        if (el.dotDotDotToken) return f.createSpreadAssignment(toTarget(el.name));
        const target = toTarget(el.name);
        const value = el.initializer ? f.createAssignment(target, el.initializer) : target;
        if (!el.propertyName && ts.isIdentifier(el.name)) {
          return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
        }
        const key = el.propertyName ?? (el.name as ts.Identifier);
        return f.createPropertyAssignment(key as ts.PropertyName, value);
      })), name);
    }
    return keep(f.createArrayLiteralExpression(name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = toTarget(el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createAssignment(target, el.initializer) : target;
    })), name);
  };

  /** Insert rt.tick() at the top of every loop body (any depth) and rewrite import() calls. */
  const deep = (node: ts.Node): ts.Node => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      return keep(rt('import', node.arguments.map((a) => ts.visitNode(a, deep) as ts.Expression)), node);
    }
    const visited = ts.visitEachChild(node, deep, ctx);
    // Only loops that await can see an interrupt (a synchronous loop never yields to the event loop).
    if (ts.isIterationStatement(visited, false) && awaits(node)) {
      const body = visited.statement;
      const withTick = f.createBlock([tick(), ...(ts.isBlock(body) ? body.statements : [body])], true);
      if (ts.isForStatement(visited)) return f.updateForStatement(visited, visited.initializer, visited.condition, visited.incrementor, withTick);
      if (ts.isForOfStatement(visited)) return f.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, visited.expression, withTick);
      if (ts.isForInStatement(visited)) return f.updateForInStatement(visited, visited.initializer, visited.expression, withTick);
      if (ts.isWhileStatement(visited)) return f.updateWhileStatement(visited, visited.expression, withTick);
      if (ts.isDoStatement(visited)) return f.updateDoStatement(visited, withTick, visited.expression);
    }
    return visited;
  };

  return (sf) => {
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    let importIndex = 0;
    const lastIndex = sf.statements.length - 1;

    sf.statements.forEach((raw, index) => {
      if (hasModifier(raw, ts.SyntaxKind.DeclareKeyword)) return;
      const s = ts.visitNode(raw, deep) as ts.Statement;
      const out: ts.Statement[] = [];
      if (ts.isImportDeclaration(s)) {
        const c = s.importClause;
        if (c?.isTypeOnly) return;
        const spec = s.moduleSpecifier as ts.StringLiteral;
        const loaded = f.createAwaitExpression(rt('import', [f.createStringLiteral(spec.text)]));
        if (!c) {
          out.push(keep(f.createExpressionStatement(loaded), s));
        } else {
          const tmp = f.createIdentifier(`__empathy_m${importIndex++}`);
          out.push(keep(f.createVariableStatement(undefined, f.createVariableDeclarationList(
            [f.createVariableDeclaration(tmp, undefined, undefined, loaded)], ts.NodeFlags.Const)), s));
          const names: string[] = [];
          const assign = (name: string, value: ts.Expression) => {
            names.push(name);
            out.push(keep(f.createExpressionStatement(f.createAssignment(f.createIdentifier(name), value)), s));
          };
          if (c.name) assign(c.name.text, rt('defaultOf', [tmp]));
          const nb = c.namedBindings;
          if (nb && ts.isNamespaceImport(nb)) assign(nb.name.text, rt('namespaceOf', [tmp]));
          if (nb && ts.isNamedImports(nb)) {
            for (const el of nb.elements) {
              if (el.isTypeOnly) continue;
              const prop = (el.propertyName ?? el.name).text;
              assign(el.name.text, rt('member', [tmp, f.createStringLiteral(prop)]));
            }
          }
          out.push(f.createExpressionStatement(rt('lock', [f.createArrayLiteralExpression(names.map((n) => f.createStringLiteral(n)))])));
        }
      } else if (ts.isImportEqualsDeclaration(s)) {
        if (s.isTypeOnly) return;
        const ref = s.moduleReference;
        const value = ts.isExternalModuleReference(ref)
          ? rt('require', [ref.expression])
          : (ref as ts.Expression);
        out.push(keep(f.createExpressionStatement(f.createAssignment(f.createIdentifier(s.name.text), value)), s));
      } else if (ts.isVariableStatement(s)) {
        const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
        const names: string[] = [];
        for (const d of s.declarationList.declarations) {
          boundNames(d.name, names);
          if (d.initializer) {
            const target = toTarget(d.name);
            const assignment = f.createAssignment(target, d.initializer);
            // Object patterns need parentheses to parse as an expression statement.
            const expr = ts.isObjectBindingPattern(d.name) ? f.createParenthesizedExpression(assignment) : assignment;
            out.push(keep(f.createExpressionStatement(expr), d));
          }
        }
        if (isConst && names.length > 0) {
          out.push(f.createExpressionStatement(rt('lock', [f.createArrayLiteralExpression(names.map((n) => f.createStringLiteral(n)))])));
        }
      } else if (ts.isFunctionDeclaration(s)) {
        if (!s.body || !s.name) return;
        const mods = (ts.getModifiers(s) ?? []).filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
        const fn = keep(f.createFunctionExpression(mods, s.asteriskToken, s.name.text, s.typeParameters, s.parameters, s.type, s.body), s);
        hoisted.push(keep(f.createExpressionStatement(f.createAssignment(f.createIdentifier(s.name.text), fn)), s));
        return;
      } else if (ts.isClassDeclaration(s)) {
        if (!s.name) return;
        const mods = (s.modifiers ?? []).filter((m) => ts.isDecorator(m));
        const cls = keep(f.createClassExpression(mods, s.name.text, s.typeParameters, s.heritageClauses, s.members), s);
        out.push(keep(f.createExpressionStatement(f.createAssignment(f.createIdentifier(s.name.text), cls)), s));
      } else if (ts.isEnumDeclaration(s) || (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name))) {
        // TS emits `var E; (function (E) {…})(E || (E = {}))`: keep it local, then publish it.
        const stripped = ts.isEnumDeclaration(s)
          ? f.updateEnumDeclaration(s, undefined, s.name, s.members)
          : f.updateModuleDeclaration(s, undefined, s.name, s.body);
        out.push(stripped);
        const n = (s.name as ts.Identifier).text;
        out.push(f.createExpressionStatement(rt('publish', [f.createStringLiteral(n), f.createIdentifier(n)])));
      } else if (ts.isExportDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) {
        return;
      } else if (ts.isExportAssignment(s)) {
        out.push(keep(f.createExpressionStatement(s.expression), s));
      } else if (index === lastIndex && ts.isExpressionStatement(s)) {
        body.push(keep(f.createReturnStatement(f.createArrayLiteralExpression([s.expression])), s));
        return;
      } else {
        out.push(s);
      }
      body.push(...out, tick());
    });
    return f.updateSourceFile(sf, [...hoisted, ...body]);
  };
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
