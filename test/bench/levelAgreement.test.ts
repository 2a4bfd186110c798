// The cross-backend agreement check's arithmetic (bench/gpu/levelAgreement.ts), on hand-made scores.
import * as assert from 'node:assert/strict';
import { levelAgreement, minTopMargin } from '../../bench/gpu/levelAgreement';

describe('levelAgreement', () => {
  const ref = { ids: ['a', 'b', 'c', 'd'], levels: [0, 1, 2, 0], probs: [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25]] };

  it('counts rows given the same level and the largest probability difference', () => {
    // Row d flips to level 1 when its probabilities move by 0.1; row a moves by 1e-7 and keeps its level.
    const other = { ids: ref.ids, levels: [0, 1, 2, 1], probs: [[0.7 + 1e-7, 0.2 - 1e-7, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.45, 0.25]] };
    const a = levelAgreement(ref, other);
    assert.equal(a.rows, 4);
    assert.equal(a.sameLevel, 3);
    assert.equal(a.agreement, 0.75);
    assert.ok(Math.abs(a.maxProbDiff - 0.1) < 1e-12, `max diff ${a.maxProbDiff}`);
  });

  it('is total agreement with itself', () => {
    assert.deepEqual(levelAgreement(ref, ref), { rows: 4, sameLevel: 4, agreement: 1, maxProbDiff: 0 });
  });

  it('refuses scores of other rows, naming where they differ', () => {
    const shuffled = { ...ref, ids: ['a', 'c', 'b', 'd'] };
    assert.throws(() => levelAgreement(ref, shuffled), /different rows \(4 vs 4; first difference at row 1\)/);
    assert.throws(() => levelAgreement(ref, { ids: ['a'], levels: [0], probs: [[1, 0, 0]] }), /different rows \(1 vs 4/);
  });
});

describe('minTopMargin', () => {
  it('is the smallest gap between the two largest probabilities of a row', () => {
    assert.ok(Math.abs(minTopMargin([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25], [0.1, 0.2, 0.7]]) - 0.05) < 1e-12);
  });
});
