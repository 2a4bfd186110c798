// The Rationale Inspector's scoring query, run in a real (in-process) kernel session: predictions plus
// per-mechanism salience merged into the tokens when the model has `salience`, a note when it has none.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { scoreAnswer, scoreCode, withSalience } from '../../extension/panels/inspectorScoring';
import type { EmpathyModel } from '../../kernel/engine/model';
import { trainLinear } from '../../kernel/models/linear/linearModel';
import { Session } from '../../kernel/session/session';
import { toyPairs } from '../models/toy';

const repo = path.resolve(__dirname, '../../..');
const g = globalThis as { __inspectorModel?: unknown };

describe('extension: Rationale Inspector scoring query', function () {
  this.timeout(60_000);
  let s: Session;
  let model: EmpathyModel;
  const pair = { id: 'edited', seekerPost: 'I failed my exam', responsePost: 'I am so sorry, that sounds awful. what happened after that?' };
  before(async () => { model = (await trainLinear({ C: 1 }, { train: toyPairs(24, 3) })).model; });
  beforeEach(() => { s = new Session({ cwd: repo, defaults: { typecheck: false } }); });
  afterEach(() => { s.dispose(); delete g.__inspectorModel; });

  async function ask(salience: boolean) {
    const r = await s.execute(scoreCode(pair, salience));
    assert.equal(r.status, 'ok', r.error?.message ?? r.stderr);
    return scoreAnswer(r.displays.map((d) => d.bundle));
  }

  it('returns salience per mechanism alongside the scores, one value per token, when asked', async () => {
    g.__inspectorModel = model;
    const a = await ask(true);
    assert.deepEqual(Object.keys(a.salience!).sort(), [...model.mechanisms].sort());
    for (const m of model.mechanisms) {
      const toks = a.item.mechanisms[m]!.tokens;
      assert.equal(a.salience![m]!.length, toks.length);
      assert.ok(toks.every((t) => typeof t.salience === 'number' && t.salience >= 0 && t.salience <= 1));
      assert.equal(Math.max(...toks.map((t) => t.salience!)), 1);
    }
    // Not asked: scores only.
    const b = await ask(false);
    assert.equal(b.salience, undefined);
    assert.ok(Object.values(b.item.mechanisms).every((mp) => mp!.tokens.every((t) => t.salience === undefined)));
  });

  it('says why when the model offers no salience', async () => {
    g.__inspectorModel = { family: 'linear', mechanisms: model.mechanisms, maxLen: model.maxLen, predict: model.predict.bind(model) };
    const a = await ask(true);
    assert.equal(a.salience, undefined);
    assert.match(a.salienceNote!, /offers no salience/);
    assert.ok(a.item.mechanisms.ER!.tokens.length > 0);
  });

  it('carries the kernel\'s "has not learned yet" note for near-uniform probabilities, none otherwise', async () => {
    const predict = model.predict.bind(model);
    g.__inspectorModel = {
      family: 'linear', mechanisms: model.mechanisms, maxLen: model.maxLen,
      predict: async (...args: Parameters<typeof predict>) => (await predict(...args)).map((p) => ({
        ...p, mechanisms: Object.fromEntries(Object.entries(p.mechanisms).map(([m, x]) => [m, { ...x!, probs: [0.34, 0.33, 0.33], level: 0 }])),
      })),
    };
    const a = await ask(false);
    assert.match(a.healthNote!, /this model has not learned yet \(.*near uniform/);
    g.__inspectorModel = model;
    const b = await ask(false);
    assert.equal(b.healthNote, undefined);
  });

  it('merges only vectors that match the tokens one to one', () => {
    const item = { id: 'a', seekerPost: 's', responsePost: 'so sorry', mechanisms: {
      ER: { level: 2 as const, probs: [0, 0, 1], tokens: [{ text: 'so', start: 0, end: 2, prob: 0.1 }, { text: 'sorry', start: 3, end: 8, prob: 0.9 }] },
      IP: { level: 0 as const, probs: [1, 0, 0], tokens: [{ text: 'so', start: 0, end: 2, prob: 0 }] },
    } };
    const out = withSalience(item, { ER: [0.5, 1], IP: [1, 0.2] });
    assert.deepEqual(out.mechanisms.ER!.tokens.map((t) => t.salience), [0.5, 1]);
    assert.equal(out.mechanisms.IP!.tokens[0].salience, undefined, 'length mismatch: left out');
    assert.ok(!('salience' in item.mechanisms.ER.tokens[0]), 'the input is not modified');
  });
});
