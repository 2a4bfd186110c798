// The tqdm-like bar: lines printed above it keep one bar, a resumed count does not inflate the rate,
// the label can change (test names the mechanism it scores), and finish() ends with the totals.
import { strict as assert } from 'node:assert';
import { formatBytes, ProgressBar } from '../../kernel/cli/progress';

function sink() {
  const s = { text: '', stream: undefined as unknown as NodeJS.WritableStream };
  s.stream = { write: (x: string) => ((s.text += x), true) } as unknown as NodeJS.WritableStream;
  return s;
}

describe('cli/progress (tqdm-like)', () => {
  it('prints a line above the bar on a TTY and redraws the bar under it', () => {
    const err = sink();
    const out = sink();
    let t = 0;
    const bar = new ProgressBar({ unit: 'steps', label: 'training', tty: true, stream: err.stream, now: () => t });
    t = 1000;
    bar.suffix = '· epoch 1/2';
    bar.update(2, 4, true);
    bar.above('epoch 1/2: train loss 1.0000', out.stream);
    assert.equal(out.text, 'epoch 1/2: train loss 1.0000\n');
    const parts = err.text.split('\r\x1b[2K').filter(Boolean);
    assert.equal(parts.length, 2, 'drawn, cleared, redrawn');
    assert.match(parts[1], /^training █{12}░{12}  50% 2\/4 steps .*epoch 1\/2$/);
  });

  it('counts only new steps in the rate when resumed, and ends with one totals line', () => {
    const err = sink();
    let t = 0;
    const bar = new ProgressBar({ unit: 'steps', label: 'training', tty: false, stream: err.stream, now: () => t, initial: 10 });
    t = 5000;
    bar.update(20, 20, true);
    assert.match(err.text, /20\/20 steps \(100%\), 2\.0 steps\/s/);
    bar.finish('6 epochs');
    assert.match(err.text, /\ntraining: 20\/20 steps in 0:05 \(2\.0 steps\/s\) · 6 epochs\n$/);
  });

  it('the label can change while it runs', () => {
    const err = sink();
    const bar = new ProgressBar({ unit: 'rows', label: 'scoring ER', tty: false, stream: err.stream, now: () => 1000 });
    bar.update(1, 2, true);
    bar.label = 'scoring IP';
    bar.update(2, 2, true);
    assert.match(err.text, /^scoring ER 1\/2 rows.*\nscoring IP 2\/2 rows/);
  });

  it('a byte count (download-weights) reads in kB/MB/GB, its rate too, and a resumed part does not count in the rate', () => {
    const err = sink();
    let t = 0;
    const bar = new ProgressBar({ unit: 'B', bytes: true, label: 'model.safetensors', tty: false, stream: err.stream, now: () => t, initial: 100_000_000 });
    t = 4000;
    bar.update(498_818_054, 498_818_054, true);
    assert.match(err.text, /^model\.safetensors 499 MB\/499 MB \(100%\), 99\.7 MB\/s, /);
    bar.finish();
    assert.match(err.text, /\nmodel\.safetensors: 499 MB\/499 MB in 0:04 \(99\.7 MB\/s\)\n$/);
    assert.deepEqual([0, 999, 1000, 12_345, 1_500_000_000].map(formatBytes), ['0 B', '999 B', '1.00 kB', '12.3 kB', '1.50 GB']);
  });
});
