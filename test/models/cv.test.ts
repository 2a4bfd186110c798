// Grouped, stratified k-fold cross-validation: no seeker post in two folds, each fold's level mix
// close to the whole, reproducible by seed, and a full CV run of the linear family with mean ± std.
import * as assert from 'node:assert/strict';
import { crossValidate, foldSplit, groupedStratifiedFolds, meanStd } from '../../kernel/engine/cv';
import type { LabeledPair, Level } from '../../kernel/engine/types';
import { trainLinear } from '../../kernel/models/linear/linearModel';
import { toyPairs } from './toy';
import { labelOf } from '../../dataset/label';

/** 300 pairs in 60 seeker groups of 1–9 rows; ER level 2 is rare (~10%). */
function grouped(): LabeledPair[] {
  let a = 9;
  const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out: LabeledPair[] = [];
  for (let g = 0; out.length < 300; g++) {
    const n = 1 + Math.floor(rnd() * 9);
    for (let j = 0; j < n && out.length < 300; j++) {
      const u = rnd();
      const level = (u < 0.6 ? 0 : u < 0.9 ? 1 : 2) as Level;
      out.push({ id: `${g}_${j}`, spId: `sp${g}`, seekerPost: '', responsePost: '', labels: { ER: labelOf('', level, []) } });
    }
  }
  return out;
}

describe('engine/cv', () => {
  const data = grouped();

  it('never puts one seeker post in two folds', () => {
    const folds = groupedStratifiedFolds(data, { k: 5, seed: 1 });
    const foldOf = new Map<string, number>();
    data.forEach((p, i) => {
      assert.ok(folds[i] >= 0 && folds[i] < 5);
      const seen = foldOf.get(p.spId!);
      if (seen !== undefined) assert.equal(folds[i], seen, `sp ${p.spId}`);
      foldOf.set(p.spId!, folds[i]);
    });
  });

  it('keeps each fold near the overall level mix and size (stratified)', () => {
    const folds = groupedStratifiedFolds(data, { k: 5, seed: 1 });
    const share = (rows: LabeledPair[], l: number) => rows.filter((p) => p.labels.ER!.level === l).length / rows.length;
    for (let f = 0; f < 5; f++) {
      const { test } = foldSplit(data, folds, f);
      assert.ok(Math.abs(test.length - 60) <= 12, `fold ${f} has ${test.length} rows`);
      for (const l of [0, 1, 2]) assert.ok(Math.abs(share(test, l) - share(data, l)) < 0.06, `fold ${f} level ${l}: ${share(test, l)} vs ${share(data, l)}`);
    }
  });

  it('is reproducible by seed and changes with it', () => {
    assert.deepEqual(groupedStratifiedFolds(data, { k: 5, seed: 1 }), groupedStratifiedFolds(data, { k: 5, seed: 1 }));
    assert.notDeepEqual(groupedStratifiedFolds(data, { k: 5, seed: 1 }), groupedStratifiedFolds(data, { k: 5, seed: 2 }));
  });

  it('mean ± sample std', () => {
    const m = meanStd([1, 2, 3]);
    assert.equal(m.mean, 2);
    assert.equal(m.std, 1);
  });

  it('cross-validates a family: per-metric mean ± std over k folds', async () => {
    const pairs = toyPairs(90, 4);
    const sizes: number[] = [];
    const r = await crossValidate(pairs, (train, ro) => trainLinear({ C: 1 }, { train }, ro), { k: 3, seed: 2, onFold: (e) => e.type === 'fold-start' && sizes.push(e.test) });
    assert.equal(r.folds, 3);
    assert.deepEqual(r.foldSizes, sizes);
    assert.equal(sizes.reduce((s, n) => s + n, 0), 90);
    assert.equal(r.metrics['ER.macroF1'].values.length, 3);
    assert.ok(r.metrics['ER.macroF1'].mean > 0.8, `ER macro-F1 ${r.metrics['ER.macroF1'].mean}`);
  });
});
