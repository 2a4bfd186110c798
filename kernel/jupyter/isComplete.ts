// is_complete for a TypeScript cell (what a console asks before running on Enter): 'incomplete' while a
// bracket, string, template or comment is still open, 'invalid' for a closer with no opener, else
// 'complete'. TypeScript's own scanner reads the tokens, so strings and regexes are never miscounted.
import * as ts from 'typescript';

export interface IsCompleteReply {
  status: 'complete' | 'incomplete' | 'invalid';
  indent?: string;
}

const OPEN = new Set([ts.SyntaxKind.OpenBraceToken, ts.SyntaxKind.OpenParenToken, ts.SyntaxKind.OpenBracketToken]);
const CLOSE = new Set([ts.SyntaxKind.CloseBraceToken, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken]);

export function isComplete(code: string): IsCompleteReply {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  /** What each open bracket was: a `${` of a template closes with the template's middle or tail. */
  const open: Array<'bracket' | 'template'> = [];
  let unterminated = false;
  scanner.setOnError(() => { unterminated = true; });
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (scanner.isUnterminated()) unterminated = true;
    if (OPEN.has(k)) open.push('bracket');
    else if (k === ts.SyntaxKind.TemplateHead) open.push('template');
    else if (CLOSE.has(k)) {
      const was = open.pop();
      if (was === undefined) return { status: 'invalid' };
      if (was === 'template' && k === ts.SyntaxKind.CloseBraceToken) {
        const t = scanner.reScanTemplateToken(false);
        if (scanner.isUnterminated()) unterminated = true;
        if (t === ts.SyntaxKind.TemplateMiddle) open.push('template');
      }
    }
  }
  if (unterminated || open.length > 0) return { status: 'incomplete', indent: '  '.repeat(Math.max(1, open.length)) };
  return { status: 'complete' };
}
