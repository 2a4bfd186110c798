// Cohen's κ against cases worked out by hand: unweighted and quadratic, and where it is undefined.
import { strict as assert } from 'node:assert';
import { cohenKappa } from '../../kernel/metrics/agreement';

describe('metrics/agreement: Cohen\'s κ', () => {
  // Two raters, six items: agreement 4/6; marginals a = (2, 2, 2)/6, b = (2, 3, 1)/6, chance 1/3.
  const a = [0, 0, 1, 1, 2, 2];
  const b = [0, 1, 1, 1, 2, 0];

  it('unweighted: (4/6 − 1/3) / (1 − 1/3) = 0.5', () => {
    assert.ok(Math.abs(cohenKappa(a, b)! - 0.5) < 1e-12);
  });

  it('quadratic weights: observed disagreement 5/24, expected 7/24, so κ_w = 2/7', () => {
    assert.ok(Math.abs(cohenKappa(a, b, 'quadratic')! - 2 / 7) < 1e-12);
  });

  it('is 1 for perfect agreement, symmetric, and negative below chance', () => {
    assert.equal(cohenKappa(a, a), 1);
    assert.equal(cohenKappa(a, b), cohenKappa(b, a));
    assert.ok(cohenKappa([0, 1, 0, 1], [1, 0, 1, 0])! < 0);
  });

  it('is undefined (null) with no items or when both raters used one and the same label', () => {
    assert.equal(cohenKappa([], []), null);
    assert.equal(cohenKappa([1, 1, 1], [1, 1, 1]), null);
    assert.throws(() => cohenKappa([0, 3], [0, 1]), /item 1 has labels 3, 1 outside 0\.\.2/);
  });
});
