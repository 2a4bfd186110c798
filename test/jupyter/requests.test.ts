// The request logic the Jupyter front owns itself, without a client: is_complete on TypeScript's own
// scanner, this session's history (tail, range, search) and code-point cursors (emoji before the cursor).
import { strict as assert } from 'node:assert';
import { History } from '../../kernel/jupyter/history';
import { toCodePoints, toUtf16 } from '../../kernel/jupyter/introspection';
import { isComplete } from '../../kernel/jupyter/isComplete';

describe('jupyter: is_complete, history, cursors', () => {
  it('is_complete: open brackets, strings, templates and comments wait for more; a stray closer is invalid', () => {
    assert.deepEqual(isComplete('const x = 1'), { status: 'complete' });
    assert.deepEqual(isComplete('for (const r of rows) {'), { status: 'incomplete', indent: '  ' });
    assert.deepEqual(isComplete('f(a, [1, {'), { status: 'incomplete', indent: '      ' });
    assert.equal(isComplete('const s = `level ${x} of').status, 'incomplete');
    assert.equal(isComplete('const s = `level ${ {a: 1}.a } ok`').status, 'complete', 'braces inside a template expression');
    assert.equal(isComplete('/* a comment').status, 'incomplete');
    assert.equal(isComplete('const s = "}"; s').status, 'complete', 'a brace in a string is not a bracket');
    assert.equal(isComplete('x)').status, 'invalid');
  });

  it('history: tail, range and search over this session', () => {
    const h = new History();
    ['let a = 1', 'a + 1', 'display.table(rows)', 'a * 2'].forEach((code, i) => h.add(i + 1, code));
    assert.deepEqual(h.query({ hist_access_type: 'tail', n: 2 }).map((e) => e[2]), ['display.table(rows)', 'a * 2']);
    assert.deepEqual(h.query({ hist_access_type: 'range', start: 2, stop: 4 }).map((e) => e[1]), [2, 3]);
    assert.deepEqual(h.query({ hist_access_type: 'search', pattern: 'a ?*' }).map((e) => e[2]), ['a + 1', 'a * 2']);
  });

  it('cursors: Jupyter counts code points, TypeScript UTF-16 units', () => {
    const code = 'const 💙 = "x"; 💙.len';
    assert.equal(toUtf16(code, [...code].length), code.length);
    assert.equal(toCodePoints(code, code.length), [...code].length);
    assert.equal(toUtf16(code, 7), 8, 'after the emoji');
  });
});
