// The per-cell output cap of headless runs (as Jupyter front ends cap a cell's output): the first
// `maxBytes` of a cell's stream text are kept, then only the last few KiB, with one visible
// "… output truncated (N bytes dropped)" marker between them, so a cell printing 10 MB stores ~1 MB.
// Error outputs are never dropped; a single rich output larger than the whole cap is dropped.
import type { CellOutput } from './format/notebook';
import type { MimeBundle } from '../protocol/mime';

/** Default cap: 1 MiB of stream text per cell (stdout and stderr together). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;
/** How much of the end of a truncated cell's output is kept after the marker (its last lines, e.g. a timeout note). */
const TAIL_BYTES = 4096;

/** The first `n` bytes of `text` as UTF-8, never ending in half a character. */
function utf8Head(text: string, n: number): string {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= n) return text;
  return b.subarray(0, n).toString('utf8').replace(/\uFFFD$/, '');
}

/** The last `n` bytes of `text` as UTF-8, never starting in half a character. */
function utf8Tail(text: string, n: number): string {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= n) return text;
  return b.subarray(b.length - n).toString('utf8').replace(/^\uFFFD/, '');
}

function formatBytes(n: number): string {
  return n >= 1 << 20 && n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

/** One cell's output budget. Feed it every output in order; `finish()` returns what to append. */
export class CellOutputLimit {
  private used = 0;
  private dropped = 0;
  private droppedOutputs = 0;
  private tail: Array<{ name: 'stdout' | 'stderr'; text: string }> = [];
  private tailBytes = 0;

  /** `maxBytes` 0 or Infinity: no limit. */
  constructor(private readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES) {}

  private get limited(): boolean {
    return this.maxBytes > 0 && Number.isFinite(this.maxBytes);
  }

  /** The part of a stream chunk to store now ('' once the budget is spent; the rest is held for the tail). */
  stream(name: 'stdout' | 'stderr', text: string): string {
    if (!this.limited) return text;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.dropped === 0 && this.used + bytes <= this.maxBytes) {
      this.used += bytes;
      return text;
    }
    const kept = this.dropped === 0 ? utf8Head(text, this.maxBytes - this.used) : '';
    const keptBytes = Buffer.byteLength(kept, 'utf8');
    this.used += keptBytes;
    this.dropped += bytes - keptBytes;
    this.hold(name, kept ? text.slice(kept.length) : text);
    return kept;
  }

  /** Whether a rich output may be stored (one larger than the whole cap is dropped and counted). */
  bundle(bundle: MimeBundle): boolean {
    if (!this.limited) return true;
    const bytes = Buffer.byteLength(JSON.stringify(bundle), 'utf8');
    if (bytes <= this.maxBytes) return true;
    this.dropped += bytes;
    this.droppedOutputs++;
    return false;
  }

  /** Keep the last TAIL_BYTES of what was dropped, in order and by stream. */
  private hold(name: 'stdout' | 'stderr', text: string): void {
    const last = this.tail[this.tail.length - 1];
    if (last?.name === name) last.text += text; else this.tail.push({ name, text });
    this.tailBytes += Buffer.byteLength(text, 'utf8');
    while (this.tailBytes > TAIL_BYTES && this.tail.length > 0) {
      const first = this.tail[0];
      const firstBytes = Buffer.byteLength(first.text, 'utf8');
      if (this.tailBytes - firstBytes >= TAIL_BYTES) {
        this.tail.shift();
        this.tailBytes -= firstBytes;
      } else {
        first.text = utf8Tail(first.text, firstBytes - (this.tailBytes - TAIL_BYTES));
        this.tailBytes = this.tail.reduce((s, t) => s + Buffer.byteLength(t.text, 'utf8'), 0);
        break;
      }
    }
  }

  /** Bytes dropped from the stored notebook (after finish: not counting the kept tail). */
  get droppedBytes(): number {
    return Math.max(0, this.dropped - this.tailBytes);
  }

  /** The marker and the kept tail to append after the cell's outputs ([] when nothing was dropped). */
  finish(): CellOutput[] {
    if (this.dropped === 0) return [];
    const tail = this.tail.filter((t) => t.text !== '').map((t) => ({ kind: 'stream' as const, name: t.name, text: t.text }));
    if (this.droppedBytes === 0) return tail; // all of it fit in head and tail: nothing was lost
    const outputs = this.droppedOutputs > 0 ? `, ${this.droppedOutputs} rich output${this.droppedOutputs > 1 ? 's' : ''} among them` : '';
    const marker = `\n… output truncated (${this.droppedBytes} bytes dropped${outputs}; the limit is ${formatBytes(this.maxBytes)} per cell, empathy run --max-output-kb to change, 0 for none) …\n`;
    return [{ kind: 'stream', name: 'stderr', text: marker }, ...tail];
  }
}
