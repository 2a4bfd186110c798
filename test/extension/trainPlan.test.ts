// Train Model… over the one model vocabulary: every name `empathy.defaultPreset` offers has a plan, the
// plans agree with kernel/models/presets.ts, and the training notebook's cells, run in a headless kernel
// session, train the chosen family and record a run from the extension with the files it trained on.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BI_ENCODER_SIZES, FAMILY_MODELS, dataCell, trainCell, trainPlan } from '../../extension/commands/trainPlan';
import { BI_ENCODER_PRESETS, modelNames, resolveModelPreset } from '../../kernel/models/presets';
import { RunStore } from '../../kernel/runs/store';
import { Session } from '../../kernel/session/session';

const repo = resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const sample = (f: string) => join(repo, 'dataset', 'samples', f);

describe('extension: Train Model… plans', function () {
  this.timeout(300_000);

  it('has a plan for every empathy.defaultPreset name, the same vocabulary as presets.ts', () => {
    const names: string[] = pkg.contributes.configuration.properties['empathy.defaultPreset'].enum;
    assert.equal(pkg.contributes.configuration.properties['empathy.defaultPreset'].default, 'offline-default');
    for (const n of names) assert.doesNotThrow(() => trainPlan(n), n);
    assert.deepEqual([...BI_ENCODER_SIZES], [...BI_ENCODER_PRESETS]);
    assert.deepEqual([...FAMILY_MODELS].sort(), modelNames().filter((n) => n !== 'bi-encoder').sort());
    for (const f of FAMILY_MODELS) assert.ok(resolveModelPreset(f), `${f} resolves in presets.ts`);
    assert.deepEqual(trainPlan('offline-default'), { kind: 'family', family: 'offline-default' });
    assert.deepEqual(trainPlan('tiny'), { kind: 'bi-encoder', size: 'tiny' });
    assert.deepEqual(trainPlan('bi-encoder'), { kind: 'bi-encoder', size: 'small' });
    assert.throws(() => trainPlan('large'), /unknown model 'large'.*offline-default/);
  });

  it('a bi-encoder size trains through empathy.train with that size preset', () => {
    const code = trainCell({ files: [sample('emotional-reactions-sample.csv')], preset: 'tiny', epochs: 1 }, 'x');
    assert.match(code, /empathy\.train\(config, data/);
    assert.match(code, /preset: "tiny"/);
    assert.match(code, /source: 'extension'/);
    const other = trainCell({ files: [sample('emotional-reactions-sample.csv')], preset: 'offline-default-soft', epochs: 2 }, 'x');
    assert.match(other, /empathy\.trainRun\(\{/);
    assert.match(other, /family: "offline-default-soft"/);
    assert.doesNotMatch(other, /preset: "|epochs/, 'no bi-encoder size or epochs for a family');
  });

  for (const preset of ['linear', 'offline-default-soft']) {
    it(`the training notebook's cells train '${preset}' on three files and record the run from the extension`, async () => {
      const runs = mkdtempSync(join(tmpdir(), 'empathy-train-plan-'));
      const saved = process.env.EMPATHY_RUNS_DIR;
      process.env.EMPATHY_RUNS_DIR = runs;
      const s = new Session({ cwd: repo, defaults: { typecheck: false } });
      try {
        const files = ['emotional-reactions-sample.csv', 'interpretations-sample.csv', 'explorations-sample.csv'].map(sample);
        for (const code of [dataCell(files), trainCell({ files, preset, epochs: 1 }, 'samples')]) {
          const r = await s.execute(code);
          assert.equal(r.status, 'ok', `${r.error?.message ?? ''}\n${r.stderr}`);
        }
        const [run] = new RunStore(runs).list().runs;
        assert.ok(run, 'a run was recorded');
        assert.equal(run.source, 'extension');
        assert.equal(run.status, 'finished');
        assert.equal(run.family, resolveModelPreset(preset)!.family);
        if (preset !== run.family) assert.equal(run.config.preset, preset);
        assert.deepEqual(run.data.map((d) => d.path), files);
        assert.deepEqual([...(run.config.mechanisms as string[])].sort(), ['ER', 'EX', 'IP']);
      } finally {
        s.dispose();
        if (saved === undefined) delete process.env.EMPATHY_RUNS_DIR; else process.env.EMPATHY_RUNS_DIR = saved;
        rmSync(runs, { recursive: true, force: true });
      }
    });
  }
});
