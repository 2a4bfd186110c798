// The CLI's argument parser and progress bar.
import { strict as assert } from 'node:assert';
import { parseArgs, UsageError, type OptionSpec } from '../../kernel/cli/args';
import { ProgressBar, formatDuration } from '../../kernel/cli/progress';

const specs: OptionSpec[] = [
  { name: 'lr', type: 'number', default: 2e-5, help: '' },
  { name: 'do_test', type: 'boolean', help: '' },
  { name: 'train_path', type: 'list', help: '' },
  { name: 'save_model_path', type: 'string', help: '' },
  { name: 'format', type: 'string', choices: ['spans', 'labels'], default: 'spans', help: '' },
];

describe('cli/args', () => {
  it('parses --flag value, --flag=value, switches, repeated lists, and fills defaults', () => {
    const a = parseArgs(['--lr', '1e-3', '--do_test', '--train_path=a.csv', '--train_path', 'b.csv', '--save-model-path', 'o/x.pth'], specs, 'train');
    assert.equal(a.opts.lr, 1e-3);
    assert.equal(a.opts.do_test, true);
    assert.deepEqual(a.opts.train_path, ['a.csv', 'b.csv']);
    assert.equal(a.opts.save_model_path, 'o/x.pth');
    assert.equal(a.opts.format, 'spans');
    assert.deepEqual([...a.given].sort(), ['do_test', 'lr', 'save_model_path', 'train_path']);
    assert.equal(parseArgs(['--do_test=false'], specs, 'train').opts.do_test, false);
    assert.equal(parseArgs([], specs, 'train').opts.lr, 2e-5);
  });

  it('rejects unknown flags, missing values, bad numbers and bad choices as usage errors', () => {
    assert.throws(() => parseArgs(['--lrr', '1'], specs, 'train'), (e: unknown) => e instanceof UsageError && /unknown option --lrr for 'train'/.test(e.message));
    assert.throws(() => parseArgs(['--lr'], specs, 'train'), /--lr needs a value/);
    assert.throws(() => parseArgs(['--lr', 'fast'], specs, 'train'), /--lr expects a number, got "fast"/);
    assert.throws(() => parseArgs(['--format', 'xml'], specs, 'test'), /--format must be one of spans, labels/);
  });
});

describe('cli/progress', () => {
  it('prints plain lines with rate and ETA when not on a TTY', () => {
    let t = 0;
    let text = '';
    const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    const bar = new ProgressBar({ unit: 'rows', tty: false, stream, every: 10, now: () => t });
    t = 2000;
    bar.update(10, 40, true);
    assert.equal(text, '10/40 rows (25%), 5.0 rows/s, elapsed 0:02, ETA 0:06\n');
    t = 3000;
    bar.update(20, 40); // within `every`: silent
    assert.equal(text.split('\n').length, 2);
    assert.equal(formatDuration(3725), '1:02:05');
  });

  it('redraws one line with a bar on a TTY', () => {
    let text = '';
    const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    let t = 0;
    const bar = new ProgressBar({ unit: 'steps', tty: true, stream, now: () => t });
    t = 1000;
    bar.update(5, 10, true);
    bar.done();
    assert.match(text, /^\r\x1b\[2K█{12}░{12}  50% 5\/10 steps · 5\.0 steps\/s · ETA 0:01\n$/);
  });
});
