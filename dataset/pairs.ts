// Unlabelled pairs for scoring (the original test.py input `id,seeker_post,response_post`, or a raw
// EPITOME file whose id becomes `<sp_id>_<rp_id>`), streamed in chunks so huge files never sit in memory.
import type { Pair } from './schema';
import { DataError, streamCsvFile, type CsvRecord, type ReadCsvOptions } from './csv';
import { checkWidth } from './epitome';

export interface PairRow extends Pair {
  line: number;
  /** The posts exactly as in the file (the model sees them trimmed; outputs copy these, never trimmed). */
  original: { seekerPost: string; responsePost: string };
}

/** Turns records (header first) into pairs; throws on a header without the needed columns or a ragged row. */
export class PairReader {
  private cols: { id?: number; sp?: number; rp?: number; seeker: number; response: number; width: number } | undefined;
  emptyPosts = 0;
  /** Rows whose id was already seen (each extra occurrence counts once). */
  duplicateIds = 0;
  private ids = new Set<string>();
  constructor(readonly file: string) {}

  take(recs: readonly CsvRecord[]): PairRow[] {
    const out: PairRow[] = [];
    for (const rec of recs) {
      if (!this.cols) {
        const h = rec.fields.map((s) => s.trim());
        const at = (n: string) => (h.indexOf(n) >= 0 ? h.indexOf(n) : undefined);
        const seeker = at('seeker_post');
        const response = at('response_post');
        const id = at('id');
        const sp = at('sp_id');
        const rp = at('rp_id');
        const missing = [id === undefined && (sp === undefined || rp === undefined) ? 'id' : '', seeker === undefined ? 'seeker_post' : '', response === undefined ? 'response_post' : ''].filter(Boolean);
        if (missing.length > 0) throw new DataError(this.file, rec.line, `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (header has: ${h.join(',')})`);
        this.cols = { id, sp, rp, seeker: seeker!, response: response!, width: h.length };
        continue;
      }
      const c = this.cols;
      checkWidth(rec, c.width, this.file);
      const f = rec.fields;
      const seekerPost = f[c.seeker].trim();
      const responsePost = f[c.response].trim();
      if (seekerPost === '' || responsePost === '') this.emptyPosts++;
      const id = c.id !== undefined ? f[c.id] : `${f[c.sp!].trim()}_${f[c.rp!].trim()}`;
      if (this.ids.has(id)) this.duplicateIds++;
      else this.ids.add(id);
      out.push({ id, seekerPost, responsePost, line: rec.line, original: { seekerPost: f[c.seeker], responsePost: f[c.response] } });
    }
    return out;
  }

  get sawHeader(): boolean {
    return this.cols !== undefined;
  }
}

/** Stream pairs in chunks of about `chunkRows`; `reader` (optional) exposes counts such as emptyPosts. */
export async function* streamPairs(file: string, chunkRows = 512, reader = new PairReader(file), opts: ReadCsvOptions = {}): AsyncGenerator<PairRow[]> {
  let buf: PairRow[] = [];
  for await (const recs of streamCsvFile(file, opts)) {
    buf.push(...reader.take(recs));
    while (buf.length >= chunkRows) {
      yield buf.slice(0, chunkRows);
      buf = buf.slice(chunkRows);
    }
  }
  if (!reader.sawHeader) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  if (buf.length > 0) yield buf;
}

/** Count data records (for progress totals) with the same parser, without keeping them. */
export async function countRecords(file: string, opts: ReadCsvOptions = {}): Promise<number> {
  let n = 0;
  for await (const recs of streamCsvFile(file, opts)) n += recs.length;
  return Math.max(0, n - 1);
}
