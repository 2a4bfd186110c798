// Progress for long commands, like tqdm: one redrawn bar with rate and ETA on a TTY, plain lines
// otherwise (one every `every` seconds and at the end), both on stderr; `suffix` carries what changes
// (epoch, loss), `above()` prints a line without breaking the bar, and `finish()` ends with the totals.

export interface ProgressBarOptions {
  /** What is counted (`rows`, `steps`). */
  unit: string;
  label?: string;
  tty: boolean;
  /** Plain mode: seconds between lines (default 10). */
  every?: number;
  stream: NodeJS.WritableStream;
  /** Injected clock for tests (ms). */
  now?: () => number;
  /** Count already done when the bar starts (a resumed training): not counted in the rate (tqdm's `initial`). */
  initial?: number;
  /** The count is bytes: shown as kB/MB/GB (tqdm's `unit_scale`), `unit` unused. */
  bytes?: boolean;
}

/** A byte count in decimal units, like tqdm's unit_scale: `512 B`, `12.3 MB`, `1.50 GB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ${units[i]}`;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar {
  private readonly start: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private lastCounts = '';
  private readonly now: () => number;
  private last: { done: number; total?: number } = { done: 0 };
  suffix = '';
  /** What is being done (shown before the bar); may change while it runs (e.g. the mechanism scored). */
  label: string;

  constructor(private readonly o: ProgressBarOptions) {
    this.label = o.label ?? '';
    this.now = o.now ?? (() => Date.now());
    this.start = this.now();
  }

  /** ` steps` after a count (nothing for bytes: the count carries its unit). */
  private get unitS(): string {
    return this.o.bytes ? '' : ` ${this.o.unit}`;
  }

  private counts(done: number, total?: number): string {
    const f = this.o.bytes ? formatBytes : String;
    return total !== undefined ? `${f(done)}/${f(total)}` : f(done);
  }

  private rate(perSec: number): string {
    if (this.o.bytes) return `${formatBytes(perSec)}/s`;
    return `${perSec >= 10 ? perSec.toFixed(0) : perSec.toFixed(1)} ${this.o.unit}/s`;
  }

  /** Report `done` of `total` (total may be unknown). */
  update(done: number, total?: number, force = false): void {
    this.last = { done, total };
    const t = this.now();
    const elapsed = (t - this.start) / 1000;
    const initial = this.o.initial ?? 0;
    const rate = elapsed > 0 ? Math.max(0, done - initial) / elapsed : 0;
    const eta = total !== undefined && rate > 0 ? (total - done) / rate : NaN;
    const label = this.label ? `${this.label} ` : '';
    const counts = this.counts(done, total);
    const rateS = this.rate(rate);
    const extra = this.suffix ? ` ${this.suffix}` : '';
    if (this.o.tty) {
      if (!force && t - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = t;
      const width = 24;
      const frac = total ? Math.min(1, done / total) : 0;
      const bar = total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : '';
      const pct = total ? `${(frac * 100).toFixed(0).padStart(3)}% ` : '';
      this.o.stream.write(`\r\x1b[2K${label}${bar ? bar + ' ' : ''}${pct}${counts}${this.unitS} · ${rateS} · ETA ${formatDuration(eta)}${extra}`);
      this.drawn = true;
    } else {
      const every = (this.o.every ?? 10) * 1000;
      if (!force && t - this.lastDraw < every && done !== total) return;
      if (`${label}${counts}` === this.lastCounts) return; // nothing new to say
      this.lastCounts = `${label}${counts}`;
      this.lastDraw = t;
      const pct = total ? ` (${((done / total) * 100).toFixed(0)}%)` : '';
      this.o.stream.write(`${label}${counts}${this.unitS}${pct}, ${rateS}, elapsed ${formatDuration(elapsed)}${total !== undefined ? `, ETA ${formatDuration(eta)}` : ''}${extra}\n`);
    }
  }

  /** Set the count without drawing: the rows of a chunk cut short by Ctrl-C were counted but not kept. */
  recount(done: number): void {
    this.last = { ...this.last, done };
  }

  /** End the bar line (TTY) so later output starts on a fresh line. */
  done(): void {
    if (this.o.tty && this.drawn) this.o.stream.write('\n');
    this.drawn = false;
  }

  /**
   * Print `line` (on `out`, default the bar's stream) without breaking the bar: on a TTY the bar line is
   * cleared first and redrawn after it, so epoch and validation lines scroll above one bar.
   */
  above(line: string, out: NodeJS.WritableStream = this.o.stream): void {
    const redraw = this.o.tty && this.drawn;
    if (redraw) this.o.stream.write('\r\x1b[2K');
    this.drawn = false;
    out.write(line + '\n');
    if (redraw) this.update(this.last.done, this.last.total, true);
  }

  /** End the bar with one line of totals: `label: 120/120 steps in 1:05 (1.8 steps/s) · suffix`. */
  finish(summary?: string): void {
    const elapsed = (this.now() - this.start) / 1000;
    const { done, total } = this.last;
    const rate = elapsed > 0 ? Math.max(0, done - (this.o.initial ?? 0)) / elapsed : 0;
    if (this.o.tty && this.drawn) this.o.stream.write('\r\x1b[2K');
    this.drawn = false;
    const label = this.label ? `${this.label}: ` : '';
    this.o.stream.write(`${label}${this.counts(done, total)}${this.unitS} in ${formatDuration(elapsed)} (${this.rate(rate)})${summary ? ` · ${summary}` : ''}\n`);
  }
}
