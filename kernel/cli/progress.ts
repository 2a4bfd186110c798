// Progress for long commands: a redrawn bar with rate and ETA on a TTY, plain lines otherwise
// (one every `every` seconds and at the end), both on stderr.

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
  suffix = '';

  constructor(private readonly o: ProgressBarOptions) {
    this.now = o.now ?? (() => Date.now());
    this.start = this.now();
  }

  /** Report `done` of `total` (total may be unknown). */
  update(done: number, total?: number, force = false): void {
    const t = this.now();
    const elapsed = (t - this.start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = total !== undefined && rate > 0 ? (total - done) / rate : NaN;
    const label = this.o.label ? `${this.o.label} ` : '';
    const counts = total !== undefined ? `${done}/${total}` : `${done}`;
    const rateS = `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} ${this.o.unit}/s`;
    const extra = this.suffix ? ` ${this.suffix}` : '';
    if (this.o.tty) {
      if (!force && t - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = t;
      const width = 24;
      const frac = total ? Math.min(1, done / total) : 0;
      const bar = total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : '';
      const pct = total ? `${(frac * 100).toFixed(0).padStart(3)}% ` : '';
      this.o.stream.write(`\r\x1b[2K${label}${bar ? bar + ' ' : ''}${pct}${counts} ${this.o.unit} · ${rateS} · ETA ${formatDuration(eta)}${extra}`);
      this.drawn = true;
    } else {
      const every = (this.o.every ?? 10) * 1000;
      if (!force && t - this.lastDraw < every && done !== total) return;
      if (counts === this.lastCounts) return; // nothing new to say
      this.lastCounts = counts;
      this.lastDraw = t;
      const pct = total ? ` (${((done / total) * 100).toFixed(0)}%)` : '';
      this.o.stream.write(`${label}${counts} ${this.o.unit}${pct}, ${rateS}, elapsed ${formatDuration(elapsed)}${total !== undefined ? `, ETA ${formatDuration(eta)}` : ''}${extra}\n`);
    }
  }

  /** End the bar line (TTY) so later output starts on a fresh line. */
  done(): void {
    if (this.o.tty && this.drawn) this.o.stream.write('\n');
    this.drawn = false;
  }
}
