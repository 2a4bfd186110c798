// The one live side of a notebook training (empathy.train and trainRun share it): the curve is drawn
// under the run's id, redrawn on epochs and the end but not on every step, logs go to the caller, and
// the last draw is static. Steps never depend on the clock here: redrawMs is set beyond any test run.
import { strict as assert } from 'node:assert';
import { installKernelContext } from '../../kernel/api/context';
import { LiveTraining } from '../../kernel/api/liveTraining';
import type { LossCurvePayload, MimeBundle } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { splitLabeledPairs } from '../../dataset/split';
import { labelOf } from '../../dataset/label';
import type { LabeledPair } from '../../dataset/schema';

const step = (n: number) => ({ type: 'step' as const, v: 1 as const, step: n, epoch: 1, loss: 1 / n, lossLevel: 0, lossRationale: 0, lr: 1e-3, gradNorm: 1, examplesPerSec: 1 });

describe('api/liveTraining: the live loss curve of a notebook training', () => {
  it('draws under the run id, redraws on epoch and end, hands logs over, ends static', () => {
    const got: Array<{ bundle: MimeBundle; update?: boolean }> = [];
    installKernelContext({ publish: (bundle, o) => got.push({ bundle, update: o.update }), signal: () => undefined });
    const logs: string[] = [];
    const seen: string[] = [];
    try {
      const live = new LiveTraining({ label: 'a run', redrawMs: 1e9, log: (e) => logs.push(e.message), forward: (e) => seen.push(e.type) });
      live.start('run-1');
      live.onEvent(step(1)); // redrawn: nothing was redrawn before it
      live.onEvent(step(2)); // within redrawMs: not redrawn
      live.onEvent({ type: 'log', v: 1, level: 'info', message: 'epochs does not apply' });
      live.onEvent({ type: 'epoch', v: 1, epoch: 1, step: 2, trainLoss: 0.7 });
      live.finish();
      const curves = got.map((g) => g.bundle[MIME.lossCurve] as LossCurvePayload);
      assert.equal(got.length, 4, 'start, first step, epoch, finish');
      assert.deepEqual(got.map((g) => g.update ?? false), [false, true, true, true]);
      assert.equal(curves[0].runs[0].id, 'run-1');
      assert.equal(curves[0].runs[0].label, 'a run');
      assert.deepEqual(curves.map((c) => c.live ?? false), [true, true, true, false]);
      assert.equal(curves[3].runs[0].steps.length, 2);
      assert.deepEqual(logs, ['epochs does not apply']);
      assert.deepEqual(seen, ['step', 'step', 'log', 'epoch']);
      assert.equal(live.events.length, 4);
    } finally {
      installKernelContext(undefined);
    }
  });

  it('shows nothing when the curve is off, and still keeps the events', () => {
    const got: MimeBundle[] = [];
    installKernelContext({ publish: (bundle) => got.push(bundle), signal: () => undefined });
    try {
      const live = new LiveTraining({ label: 'quiet', show: false });
      live.start();
      live.onEvent(step(1));
      live.finish();
      assert.equal(got.length, 0);
      assert.equal(live.events.length, 1);
    } finally {
      installKernelContext(undefined);
    }
  });

  it('one grouped pair split: no seeker post in two parts, nothing in a part of share 0', () => {
    const pairs: LabeledPair[] = Array.from({ length: 40 }, (_, i) => ({
      id: `p${i}`, spId: `s${i % 13}`, seekerPost: 's', responsePost: 'r', labels: { ER: labelOf('r', (i % 3) as 0 | 1 | 2, []) },
    }));
    const parts = splitLabeledPairs(pairs, { ratios: [0.75, 0.25, 0], seed: 12 });
    assert.equal(parts.test.length, 0);
    assert.equal(parts.train.length + parts.dev.length, 40);
    const sp = (ps: LabeledPair[]) => new Set(ps.map((p) => p.spId));
    for (const s of sp(parts.dev)) assert.ok(!sp(parts.train).has(s), `${s} in both parts`);
    assert.deepEqual(splitLabeledPairs(pairs, { ratios: [0.75, 0.25, 0], seed: 12 }), parts, 'seeded');
  });
});
