// Issue 22, item 6: a training killed without a word (SIGKILL) no longer stays "running" forever. Its run
// records the pid, host, process start and a heartbeat; `runs list` and `runs show` read them and say
// `interrupted (process gone)` once that process is dead, while a live training still reads `running`.
import { strict as assert } from 'node:assert';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { currentRunProcess, HEARTBEAT_STALE_MS, recorderGone } from '../../kernel/runs/liveness';
import { statusText } from '../../kernel/runs/run';
import { cli, cliAsync, SAMPLES, tmpDir } from '../cli/spawn';

describe('runs: a killed training reads as interrupted (issue 22, item 6)', function () {
  this.timeout(180_000);

  it('a real training killed with SIGKILL: running while it lives, interrupted (process gone) after', async () => {
    const runsDir = join(tmpDir('empathy-runs-killed-'), 'runs');
    // Far more epochs than it will ever reach: it is still training whenever the test looks.
    const child = cliAsync(['train', '--model', 'tagger', '--epochs', '100000', '--train_path', join(SAMPLES, 'emotional-reactions-sample.csv'), '--runs_dir', runsDir]);
    let stderr = '';
    const id = await new Promise<string>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /^run (\S+) → /m.exec(stderr);
        if (m) resolve(m[1]);
      }),
    );
    const closed = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, sig) => r(sig)));

    const alive = JSON.parse(cli(['runs', 'show', id, '--runs_dir', runsDir, '--json']).stdout);
    assert.equal(alive.status, 'running');
    assert.equal(alive.process.pid, child.pid);
    assert.equal(alive.process.host, hostname());
    assert.ok(Date.parse(alive.process.heartbeatAt) > 0, 'a heartbeat time');

    child.kill('SIGKILL');
    assert.equal(await closed, 'SIGKILL');

    const list = cli(['runs', 'list', '--runs_dir', runsDir]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${id}\\s+tagger\\s+interrupted \\(process gone\\)`, 'm'));
    const show = cli(['runs', 'show', id, '--runs_dir', runsDir]);
    assert.match(show.stdout, /^status {4}interrupted \(process gone\), \d+ steps/m);
    const json = JSON.parse(cli(['runs', 'show', id, '--runs_dir', runsDir, '--json']).stdout);
    assert.equal(json.status, 'interrupted');
    assert.equal(json.interruption, 'process gone');
  });

  it('tells a reused pid, another host and a stale heartbeat apart', () => {
    const me = currentRunProcess();
    assert.equal(recorderGone(me), undefined, 'this very process is alive');
    if (me.startTicks !== undefined) assert.equal(recorderGone({ ...me, startTicks: `${me.startTicks}0` }), 'process gone', 'same pid, another process start: reused');
    else assert.equal(recorderGone({ ...me, heartbeatAt: new Date(Date.now() - HEARTBEAT_STALE_MS - 1000).toISOString() }), 'process gone');
    const elsewhere = { ...me, host: `${hostname()}-not-this-one` };
    assert.equal(recorderGone(elsewhere), undefined, 'another host with a fresh heartbeat: still running');
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS - 1000).toISOString();
    assert.equal(recorderGone({ ...elsewhere, heartbeatAt: old }), `no heartbeat from ${elsewhere.host} since ${old}`);
    assert.equal(statusText({ status: 'interrupted', interruption: 'process gone' }), 'interrupted (process gone)');
    assert.equal(statusText({ status: 'finished' }), 'finished');
  });
});
