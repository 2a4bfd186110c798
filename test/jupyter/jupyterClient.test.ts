// The kernel through the Jupyter project's own client (jupyter_client, driven by scenarios.py) on a
// kernelspec installed with `empathy jupyter install --prefix`: state across cells with top-level await,
// errors as Jupyter `error` outputs, silent runs, history, completion, inspection, is_complete, an
// interrupted `while (true) {}` (kernel alive, state kept), a restart, and forged messages (ignored).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { skipBecause } from '../support/skip';
import { findJupyterPython, installTempKernelspec, REPO, runPythonJson } from './jupyterPython';

interface Run {
  status: string;
  execution_count: number;
  ename: string | null;
  evalue: string | null;
  iopub: Array<{ type: string; content: Record<string, unknown> }>;
}
const outputs = (r: Run) => r.iopub.filter((m) => m.type !== 'status');
const states = (r: Run) => r.iopub.filter((m) => m.type === 'status').map((m) => m.content.execution_state);
const result = (r: Run) => (outputs(r).find((m) => m.type === 'execute_result')?.content.data as Record<string, string> | undefined)?.['text/plain'];

describe('jupyter: the kernel through jupyter_client', function () {
  this.timeout(180_000);
  let python = '';
  let spec: ReturnType<typeof installTempKernelspec>;
  before(function () {
    const found = findJupyterPython();
    if ('missing' in found) skipBecause(this, found.missing);
    python = found.python;
    spec = installTempKernelspec();
  });
  after(() => spec?.dispose());
  const scenario = <T>(name: string) => runPythonJson<T>(python, [join(REPO, 'test', 'jupyter', 'scenarios.py'), name], spec.env, spec.prefix);

  it('keeps state across cells (top-level await), reports errors with ename/evalue, answers the other shell requests', async () => {
    const { result: r } = await scenario<Record<string, Run & Record<string, unknown>>>('state');
    assert.equal(r.first.status, 'ok');
    assert.deepEqual(states(r.first), ['busy', 'idle'], 'busy, then idle, around the request');
    assert.deepEqual(outputs(r.first).map((m) => m.type), ['execute_input', 'stream']);
    assert.equal(outputs(r.first)[1].content.text, 'base 40\n');
    assert.equal(result(r.second), '42', 'a variable of the first cell, after an await');
    assert.equal(r.second.execution_count, 2);

    assert.equal(r.throws.status, 'error');
    assert.equal(r.throws.ename, 'RangeError');
    assert.equal(r.throws.evalue, 'level out of range');
    const err = outputs(r.throws).find((m) => m.type === 'error')!;
    assert.equal(err.content.ename, 'RangeError');
    assert.match((err.content.traceback as string[]).join('\n'), /cell-in3\.ts:1:\d+/, 'the traceback points into the cell');
    assert.equal(result(r.after_error), '420', 'an error keeps the state');

    assert.deepEqual(outputs(r.silent), [], 'silent: nothing on iopub');
    assert.equal(r.after_silent.execution_count, 5, 'silent does not count');
    const history = (r.history as unknown as { history: Array<[number, number, string]> }).history;
    assert.deepEqual(history.map((h) => h[1]), [1, 2, 3, 4, 5]);
    assert.equal(history[3][2], 'total * 10');

    const complete = r.complete as unknown as { matches: string[]; cursor_start: number; cursor_end: number };
    assert.deepEqual(complete.matches, ['toFixed'], 'members of a number that continue "toFi"');
    assert.deepEqual([complete.cursor_start, complete.cursor_end], [6, 10]);
    assert.match((r.inspect as unknown as { data: Record<string, string> }).data['text/plain'], /^let total: number\n42$/);
    assert.deepEqual(r.is_complete_open, { status: 'incomplete', indent: '  ' });
    assert.deepEqual(r.is_complete_done, { status: 'complete' });
    assert.deepEqual(r.comm_info, { status: 'ok', comms: {} });
  });

  it('interrupts `while (true) {}` (SIGINT, interrupt_mode signal): the kernel lives on with its variables', async () => {
    const { result: r } = await scenario<{ before: Run; spin_reply: { status: string; ename: string }; alive: boolean; after: Run }>('interrupt');
    assert.equal(result(r.before), '42');
    assert.deepEqual(r.spin_reply, { status: 'error', ename: 'Interrupted' });
    assert.equal(r.alive, true);
    assert.equal(result(r.after), '42', 'the variable survived the interrupt');
  });

  it('restarts: a fresh session (variables gone), the kernel answers again', async () => {
    const { result: r } = await scenario<{ before: Run; after: Run; again: Run }>('restart');
    assert.equal(result(r.before), "'before the restart'");
    assert.equal(result(r.after), "'undefined'");
    assert.equal(r.after.execution_count, 1, 'counting starts again');
    assert.equal(result(r.again), '2', 'the name can be declared again');
  });

  it('drops messages with a wrong or missing signature (logged, never executed)', async () => {
    const { result: r, stderr } = await scenario<{ wrong_id: string; missing_id: string; replied_to: string[]; good_id: string; check: Run }>('bad_signature');
    assert.ok(!r.replied_to.includes(r.wrong_id) && !r.replied_to.includes(r.missing_id), 'no reply to a forged message');
    assert.equal(r.replied_to.at(-1), r.good_id);
    assert.equal(result(r.check), "'undefined'", 'the forged code did not run');
    assert.match(stderr, /dropped a message on shell: wrong signature/);
    assert.match(stderr, /dropped a message on shell: missing signature/);
  });
});
