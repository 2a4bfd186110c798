// A CSV a CLI command writes row by row and Ctrl-C may cut short (test, process-data, split): the rows
// stream into one atomic temp file (dataset/atomicFile.ts); finish() puts the whole file at OUT, and
// keepPartial() puts the rows written so far at OUT.partial.csv, never over OUT, so a previous complete
// output stays whole. The count it reports is the count of rows in the file, by construction.
import { AtomicFile } from '../../dataset/atomicFile';
import { csvHeader, csvLine, type WriteCsvOptions } from '../../dataset/csv';
import type { FlaggedPath } from '../../dataset/outputGuard';
import { partialPath } from './fileOptions';

/** An output flag's path and its partial file, both for assertOutputsClear. */
export function outputAndPartial(flag: string, file: string): FlaggedPath[] {
  return [
    { flag, path: file },
    { flag: `${flag} (its partial file)`, path: partialPath(file) },
  ];
}

/**
 * Between two chunks of rows: let the event loop run (a pending Ctrl-C is handled there, which a
 * synchronous loop would never allow), then say whether to stop.
 */
export function stopRequested(signal: AbortSignal): Promise<boolean> {
  return new Promise((r) => setImmediate(() => r(signal.aborted)));
}

export class CsvOutput {
  readonly partial: string;
  /** Data rows written so far (the header not counted). */
  rows = 0;
  private readonly file: AtomicFile;
  private open = true;

  constructor(
    readonly path: string,
    header: readonly string[],
    private readonly csv: WriteCsvOptions,
  ) {
    this.partial = partialPath(path);
    this.file = new AtomicFile(path);
    this.file.write(csvHeader(header, csv));
  }

  write(values: readonly unknown[]): void {
    this.file.write(csvLine(values, this.csv));
    this.rows++;
  }

  /** The whole output: renamed over OUT. */
  finish(): void {
    this.open = false;
    this.file.commit();
  }

  /**
   * Interrupted: the rows written go to OUT.partial.csv (none: nothing is written). Returns the line
   * that says so, naming `total` rows when the command knows how many there were to write.
   */
  keepPartial(total?: number): string {
    this.open = false;
    if (this.rows === 0) {
      this.file.abort();
      return `interrupted before any row was written; ${this.path} not written (left as it was)`;
    }
    this.file.commit(this.partial);
    return `interrupted: wrote the first ${this.rows}${total !== undefined ? ` of ${total}` : ''} rows to ${this.partial} (${this.path} left as it was)`;
  }

  /** On an error: the temp file goes, OUT and OUT.partial.csv stay as they were (idempotent). */
  abort(): void {
    if (this.open) this.file.abort();
    this.open = false;
  }
}
