// The one error of bad input data: it names the file and, when known, the (1-based) line.
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DataError';
  }
}
