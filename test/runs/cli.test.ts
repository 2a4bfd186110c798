// Every `empathy train` is a run: it can be listed, shown and compared from the terminal.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { cli, SAMPLES, tmpDir } from '../cli/spawn';

describe('empathy runs (CLI)', () => {
  it('records two trainings and lists, shows and compares them', () => {
    const dir = tmpDir('empathy-runs-cli-');
    const runsDir = join(dir, 'runs');
    const train = (label: string) => cli([
      'train', '--model', 'linear', '--train_path', join(SAMPLES, 'emotional-reactions-sample.csv'),
      '--dev_path', join(SAMPLES, 'emotional-reactions-sample.csv'), '--do_validation',
      '--runs_dir', runsDir, '--run_label', label, '--save_model', '--save_model_path', join(dir, `${label}.ckpt`),
    ]);
    for (const label of ['first', 'second']) {
      const r = train(label);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`run \\S+-${label} → `));
    }

    const list = cli(['runs', 'list', '--runs_dir', runsDir]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    assert.equal(lines.length, 3, list.stdout); // header + two runs
    assert.match(lines[1], /-second\s+linear\s+finished/);

    const ids = lines.slice(1).map(l => l.split(/\s+/)[0]);
    const show = cli(['runs', 'show', ids[0], '--runs_dir', runsDir, '--json']);
    const rec = JSON.parse(show.stdout);
    assert.equal(rec.family, 'linear');
    assert.equal(rec.data.length, 2);
    assert.match(rec.data[0].sha256, /^[0-9a-f]{64}$/);
    assert.ok(rec.metrics['dev.ER.macroF1'] >= 0 && rec.metrics['dev.ER.macroF1'] <= 1);
    assert.equal(rec.checkpointPath, join(dir, 'second.ckpt'));

    // Same data, same seed, same config: the same numbers.
    const cmp = cli(['runs', 'compare', ...ids, '--runs_dir', runsDir, '--metric', 'macroF1', '--json']);
    const [a, b] = JSON.parse(cmp.stdout) as Array<{ metrics: Record<string, number> }>;
    assert.deepEqual(a.metrics, b.metrics);
    const text = cli(['runs', 'compare', ...ids, '--runs_dir', runsDir, '--metric', 'dev.ER.macroF1']);
    assert.match(text.stdout, /^dev\.ER\.macroF1\s+\d\.\d{4}\s+\d\.\d{4}$/m);

    const bad = cli(['runs', 'show', 'no-such-run', '--runs_dir', runsDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^empathy: no run "no-such-run" in /m);
  });
});
