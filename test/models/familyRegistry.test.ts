// One owner for a model family: a family registered in ONE place (registerFamily) is a `train --model`
// and `cv --model` name, a preset, a Train Model… choice and an `empathy.defaultPreset` value; and the
// extension's generated list and package.json's setting are what the registry says today.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { wordTokens } from '../../dataset/wordTokenizer';
import { MECHANISMS } from '../../dataset/schema';
import type { EmpathyModel, ModelFamily } from '../../kernel/engine/model';
import type { LabeledPair, Level, Mechanism, Pair, PairPrediction } from '../../kernel/engine/types';
import { familyNames, registerFamily } from '../../kernel/models/families';
import type { FamilySpec } from '../../kernel/models/familySpec';
import { evaluatePredictions } from '../../kernel/models/evaluate';
import { defaultPresetSetting, modelChoicesModule, modelVocabulary } from '../../kernel/models/modelChoices';
import { modelNames, resolveModelPreset } from '../../kernel/models/presets';
import { planTraining } from '../../kernel/training/familyConfig';
import { main } from '../../kernel/cli/main';
import { trainPlan } from '../../extension/commands/trainPlan';

const repo = path.resolve(__dirname, '../../..');
const ER = path.join(repo, 'dataset', 'samples', 'emotional-reactions-sample.csv');

/** A family that predicts each mechanism's most frequent training level and no rationale: the smallest honest model. */
class MajorityModel implements EmpathyModel {
  readonly family = 'majority';
  readonly maxLen = 64;
  constructor(readonly levels: Partial<Record<Mechanism, Level>>) {}
  get mechanisms(): Mechanism[] { return MECHANISMS.filter((m) => this.levels[m] !== undefined); }
  async predict(pairs: readonly Pair[]): Promise<PairPrediction[]> {
    return pairs.map((p) => ({
      id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost,
      mechanisms: Object.fromEntries(this.mechanisms.map((m) => {
        const level = this.levels[m]!;
        const { tokens, truncated } = wordTokens(p.responsePost, this.maxLen);
        const probs = [0, 0, 0] as [number, number, number];
        probs[level] = 1;
        return [m, { level, probs, tokens: tokens.map((t) => ({ text: t.text, start: t.start, end: t.end, prob: 0 })), spans: [], truncated }];
      })),
    }));
  }
  async evaluate(data: readonly LabeledPair[]) { return evaluatePredictions(data, await this.predict(data), { maxLen: this.maxLen }); }
  async save(): Promise<void> { throw new Error('the majority family saves nothing'); }
  describe() { return { family: this.family, levels: this.levels }; }
  dispose(): void {}
}

const majorityFamily: ModelFamily<{ smoothing?: number }> = {
  name: 'majority',
  async train(_cfg, data) {
    const levels: Partial<Record<Mechanism, Level>> = {};
    for (const m of MECHANISMS) {
      const counts = [0, 0, 0];
      for (const p of data.train) if (p.labels[m]) counts[p.labels[m]!.level]++;
      if (counts.some((c) => c > 0)) levels[m] = counts.indexOf(Math.max(...counts)) as Level;
    }
    const model = new MajorityModel(levels);
    return { model, steps: 1, dev: data.dev ? await model.evaluate(data.dev) : undefined };
  },
  async load() { throw new Error('the majority family has no checkpoints'); },
};

const majoritySpec: FamilySpec = {
  name: 'majority',
  words: 'the majority baseline',
  summary: 'each mechanism\'s most frequent training level, no rationale',
  presets: [{ name: 'majority-smoothed', config: { smoothing: 1 }, summary: 'the majority baseline, smoothed' }],
  choices: [{ id: 'majority', label: 'majority', detail: 'The majority-level baseline', setting: 'The majority-level baseline.' }],
  onnx: false,
  resolveConfig(given, base) {
    const config = { ...base };
    const notes: Array<{ key: string; why: 'unused' | 'unknown' }> = [];
    for (const [k, v] of Object.entries(given)) {
      if (k === 'smoothing') config[k] = v;
      else notes.push({ key: k, why: k === 'epochs' ? 'unused' : 'unknown' });
    }
    return { config, notes };
  },
  effective: (config) => ({ smoothing: 0, ...config }),
  banner: (used) => [`majority: smoothing =  ${used.smoothing}`],
  load: () => majorityFamily,
};

function capture() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d) => { text += String(d); });
  return { stream: s, text: () => text };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await main(argv, { out: out.stream, err: err.stream, cwd: repo, tty: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('models: the family registry is the one owner of a family', function () {
  this.timeout(120_000);

  it('the generated list for the extension and package.json\'s empathy.defaultPreset are what the registry says', () => {
    const generated = fs.readFileSync(path.join(repo, 'extension', 'commands', 'modelChoices.ts'), 'utf8');
    assert.equal(generated, modelChoicesModule(), 'extension/commands/modelChoices.ts is stale: run npm run gen:model-choices');
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['empathy.defaultPreset'];
    assert.deepEqual({ enum: setting.enum, enumDescriptions: setting.enumDescriptions }, defaultPresetSetting(), 'package.json is stale: run npm run gen:model-choices');
    assert.deepEqual(modelNames(), ['offline-default', 'offline-default-soft', 'linear', 'tagger', 'ensemble', 'bi-encoder']);
  });

  describe('a fake family registered in one place', () => {
    let unregister: () => void;
    before(() => { unregister = registerFamily(majoritySpec); });
    after(() => unregister());

    it('is a preset and a model name, and plans with its own notes', () => {
      assert.ok(familyNames().includes('majority'));
      assert.ok(modelNames().includes('majority') && modelNames().includes('majority-smoothed'));
      assert.deepEqual(resolveModelPreset('majority-smoothed'), { family: 'majority', config: { smoothing: 1 }, summary: 'the majority baseline, smoothed' });
      const plan = planTraining('majority-smoothed', { epochs: 3, foo: 1, mechanisms: ['ER'] }, { nameOf: (k) => `--${k}` });
      assert.deepEqual(plan.config, { smoothing: 1, mechanisms: ['ER'] });
      assert.deepEqual(plan.notes, ['--epochs does not apply to the majority baseline (majority-smoothed)', '--foo is not a setting of the majority baseline (majority-smoothed): ignored']);
    });

    it('appears in Train Model… and in the empathy.defaultPreset setting (the generated list, regenerated)', () => {
      const vocab = modelVocabulary();
      assert.ok(vocab.choices.some((c) => c.id === 'majority' && c.label === 'majority'));
      assert.ok(vocab.familyModels.includes('majority') && vocab.familyModels.includes('majority-smoothed'));
      assert.ok(defaultPresetSetting(vocab).enum.includes('majority'));
      assert.match(modelChoicesModule(vocab), /"id": "majority"/);
      assert.deepEqual(trainPlan('majority', vocab), { kind: 'family', family: 'majority' });
      assert.throws(() => trainPlan('majority'), /unknown model 'majority'/, 'the committed list holds the built-in families only');
    });

    it('empathy train --model majority trains it, with its Args line and notes', async () => {
      const help = await cli(['train', '--help']);
      assert.match(help.stdout, /model preset or family: .*majority/);
      const r = await cli(['train', '--train_path', ER, '--model', 'majority', '--epochs', '2', '--dev_path', ER, '--do_validation', '--no_run']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /majority: smoothing = {2}0/);
      assert.match(r.stdout, /model = {2}majority \(majority\); mechanisms = {2}ER/);
      assert.match(r.stderr, /--epochs does not apply to the majority baseline/);
      assert.match(r.stdout, /Running validation/);
    });

    it('empathy cv --model majority cross-validates it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-fake-family-'));
      try {
        const help = await cli(['cv', '--help']);
        assert.match(help.stdout, /model preset or family: .*majority/);
        const json = path.join(dir, 'cv.json');
        const r = await cli(['cv', '--data', ER, '--model', 'majority', '--folds', '2', '--json', json]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /cv: majority \(majority\) on \d+ pairs, 2 folds/);
        assert.match(r.stdout, /ER\.macroF1/);
        assert.equal(JSON.parse(fs.readFileSync(json, 'utf8')).family, 'majority');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('is gone once unregistered: an unknown --model names the known ones', async () => {
    const r = await cli(['train', '--train_path', ER, '--model', 'majority']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown --model "majority" \(available: offline-default, offline-default-soft, linear, tagger, ensemble, bi-encoder/);
  });
});
