// Level metrics against hand-computed values (sklearn conventions).
import { strict as assert } from 'node:assert';
import { levelMetrics } from '../../kernel/metrics/levels';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('metrics/levels', () => {
  it('accuracy, confusion, per-class and macro F1 on a small case', () => {
    const gold = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 2, 2];
    const m = levelMetrics(gold, pred);
    close(m.accuracy, 4 / 6);
    assert.deepEqual(m.confusion, [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    // class 0: P 1, R 2/3, F1 .8; class 1: P .5, R .5, F1 .5; class 2: P .5, R 1, F1 2/3
    close(m.perClass[0].f1, 0.8);
    close(m.perClass[1].f1, 0.5);
    close(m.perClass[2].f1, 2 / 3);
    assert.deepEqual(
      m.perClass.map((c) => c.support),
      [3, 2, 1],
    );
    close(m.macroF1, (0.8 + 0.5 + 2 / 3) / 3);
  });

  it("Cohen's kappa plain and quadratic (hand computed)", () => {
    const m = levelMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
    // po = 4/6; rows [3,2,1], cols [2,2,2]; pe = (6+4+2)/36 = 1/3 → κ = (2/3-1/3)/(2/3) = .5
    close(m.kappa, 0.5);
    // quadratic: observed weighted disagreement = (1+1)/4 = .5; expected = Σ w r_i c_j / n
    // = [3·(0·2+ .25·2 + 1·2) + 2·(.25·2 + 0 + .25·2) + 1·(1·2 + .25·2 + 0)]/6 = (7.5 + 2 + 2.5)/6 = 2 → κw = 1 − .5/2
    close(m.kappaQuadratic, 0.75);
  });

  it('macro-F1 averages only levels present in gold or predictions (sklearn), perfect single class κ = 1', () => {
    const m = levelMetrics([0, 0, 1], [0, 0, 1]);
    close(m.macroF1, 1);
    const one = levelMetrics([2, 2], [2, 2]);
    close(one.kappa, 1);
    close(one.macroF1, 1);
    assert.throws(() => levelMetrics([0], [3]), /level must be 0, 1 or 2/);
  });
});
