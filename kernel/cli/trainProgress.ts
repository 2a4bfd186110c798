// What `empathy train` shows while it trains, from the training's events: train.py's step lines, one bar
// over every epoch (tqdm-style; the epoch and running loss in its suffix) with epoch and validation lines
// above it, a second bar for each dev/test evaluation, checkpoint and note lines, totals at the end; and,
// with --log_jsonl, every event appended as a JSON line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAllSync, writeFailure, writeTarget } from '../../dataset/atomicFile';
import type { TrainEvent } from '../engine';
import type { CliContext } from './command';
import { engine } from './engine';
import { healthLines, reportOriginalLines } from './evalText';
import { ProgressBar } from './progress';

type Event<T extends TrainEvent['type']> = Extract<TrainEvent, { type: T }>;

export class TrainProgress {
  /** The last checkpoint the training wrote (where `--resume` continues). */
  lastCheckpoint: string | undefined;
  /** Whether a validation report was printed while training (else the caller prints the final one). */
  devShown = false;
  /** The --log_jsonl descriptor (appended to; a device, FIFO or tty is written in place). */
  private log: number | undefined;
  /** This process's own descriptor when the log is /dev/stdout: written, never closed. */
  private readonly ownFd: number | undefined;
  private bar: ProgressBar | undefined;
  private evalBar: ProgressBar | undefined;
  private epochLoss = { sum: 0, n: 0 };
  private epochNo = 0;
  private epochs = 0;
  private totalSteps = 0;
  private lastStep = 0;

  constructor(private readonly ctx: CliContext, private readonly logJsonl?: string) {
    this.ownFd = logJsonl ? (writeTarget(logJsonl) as { fd?: number }).fd : undefined;
    this.log = logJsonl ? this.ownFd ?? (fs.mkdirSync(path.dirname(path.resolve(logJsonl)), { recursive: true }), fs.openSync(logJsonl, 'a')) : undefined;
  }

  /**
   * Every line whole (short writes loop); a log that cannot be written (disk full) is one warning and no
   * more logging, never the end of a training whose weights would then be lost.
   */
  private appendLog(e: TrainEvent): void {
    if (this.log === undefined) return;
    try {
      writeAllSync(this.log, JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
    } catch (err) {
      this.ctx.err.write(`warning: ${writeFailure(this.logJsonl!, err, false).message}; --log_jsonl stops here, training goes on\n`);
      this.closeLog();
    }
  }

  private closeLog(): void {
    if (this.log !== undefined && this.log !== this.ownFd) fs.closeSync(this.log);
    this.log = undefined;
  }

  /** The RunOptions.onEvent to train with. */
  readonly onEvent = (e: TrainEvent): void => {
    this.appendLog(e);
    switch (e.type) {
      case 'start': return this.start(e);
      case 'step': return this.step(e);
      case 'eval': return this.evaluating(e);
      case 'epoch': return this.epoch(e);
      case 'checkpoint':
        this.lastCheckpoint = e.path;
        return this.note(`saved checkpoint → ${e.path} (step ${e.step})`);
      case 'log': return this.note(`${e.level === 'warn' ? 'warning' : 'note'}: ${e.message}`);
      case 'stopped':
        if (e.reason === 'early-stopping') this.say(`early stopping at step ${e.step}`);
        return;
      case 'end':
        this.bar?.finish(`${this.epochNo} epoch${this.epochNo === 1 ? '' : 's'}${this.epochLoss.n ? `, last epoch loss ${(this.epochLoss.sum / this.epochLoss.n).toFixed(4)}` : ''}`);
        this.bar = undefined;
        return;
    }
  };

  /** Training returned or threw: leave the bars where they stopped and close the event log. */
  close(): void {
    this.bar?.finish(`stopped at step ${this.lastStep}`);
    this.evalBar?.done();
    this.closeLog();
  }

  private w(line: string): void {
    this.ctx.out.write(line + '\n');
  }

  /** A result line: above the bar while one is drawn. */
  private say(line: string): void {
    if (this.bar) this.bar.above(line, this.ctx.out);
    else this.w(line);
  }

  /** A progress note (stderr): above the bar while one is drawn. */
  private note(line: string): void {
    if (this.bar) this.bar.above(line);
    else this.ctx.err.write(line + '\n');
  }

  private start(e: Event<'start'>): void {
    this.epochs = e.epochs;
    this.totalSteps = e.totalSteps;
    this.w(`total_steps = ${e.totalSteps}`);
    this.w(`num_batch = ${e.stepsPerEpoch}`);
    this.w(`backend = ${engine().describeBackend(e.backend)}${e.resumedFromStep > 0 ? `; resumed at step ${e.resumedFromStep}` : ''}`);
    this.w('=============================================');
    this.bar = new ProgressBar({ unit: 'steps', label: 'training', tty: this.ctx.tty, stream: this.ctx.err, initial: e.resumedFromStep });
  }

  private step(e: Event<'step'>): void {
    this.bar ??= new ProgressBar({ unit: 'steps', label: 'training', tty: this.ctx.tty, stream: this.ctx.err });
    if (e.epoch !== this.epochNo) {
      this.epochNo = e.epoch;
      this.epochLoss = { sum: 0, n: 0 };
    }
    this.epochLoss.sum += e.loss;
    this.epochLoss.n++;
    this.lastStep = e.step;
    this.bar.suffix = `· epoch ${e.epoch}${this.epochs ? `/${this.epochs}` : ''} · loss ${(this.epochLoss.sum / this.epochLoss.n).toFixed(4)}`;
    this.bar.update(e.step, this.totalSteps || undefined);
  }

  private evaluating(e: Event<'eval'>): void {
    if (!this.evalBar) {
      this.bar?.done(); // the training bar's last state stays on its line; the evaluation bar draws below it
      this.evalBar = new ProgressBar({ unit: 'pairs', label: e.split === 'dev' ? 'validation' : 'test', tty: this.ctx.tty, stream: this.ctx.err });
    }
    this.evalBar.update(e.done, e.total);
    if (e.done >= e.total) {
      this.evalBar.done();
      this.evalBar = undefined;
    }
  }

  private epoch(e: Event<'epoch'>): void {
    this.say(`epoch ${e.epoch}${this.epochs ? `/${this.epochs}` : ''}: train loss ${e.trainLoss.toFixed(4)} (step ${e.step})`);
    if (!e.dev) return;
    this.devShown = true;
    this.say('\n\nRunning validation...\n');
    for (const l of reportOriginalLines(e.dev)) this.say(l);
    for (const l of healthLines(e.dev, 'the dev split')) this.say(l);
    this.say('');
  }
}
