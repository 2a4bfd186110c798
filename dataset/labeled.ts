// Load a labelled CSV in either format — raw EPITOME (`…,level,rationales`) or processed by
// process-data (`id,…,labels,rationale_labels,…,rationale_spans`) — as RawRows.
import { DataError, readCsvFile, type CsvRecord, type ReadCsvOptions } from './csv';
import { labelFromSpans } from './label';
import { checkWidth, duplicateIdWarning, headerIndex, mechanismFromFileName, parseLevel, rawRowsFromRecords, type LoadedEpitome, type RawRow } from './epitome';

export type LabeledFormat = 'raw' | 'processed';

/** Which format a header is: raw needs level+rationales, processed needs labels+rationale_labels. */
export function detectFormat(header: readonly string[]): LabeledFormat | undefined {
  const h = new Set(header.map((s) => s.trim()));
  if (h.has('level') && h.has('rationales')) return 'raw';
  if (h.has('labels') && h.has('rationale_labels')) return 'processed';
  return undefined;
}

/** Parse `s:e|s:e` rationale spans. */
export function parseSpans(s: string, file: string, line: number): Array<[number, number]> {
  if (s.trim() === '') return [];
  return s.split('|').map((p) => {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(p);
    if (!m || Number(m[1]) > Number(m[2])) throw new DataError(file, line, `rationale_spans must look like "start:end|start:end", found ${JSON.stringify(s)}`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  });
}

/**
 * Processed rows → RawRows: spans taken from rationale_spans (sorted, merged), rationales re-sliced from
 * them; ids split back into sp_id/rp_id.
 */
export function processedRecordsToRows(recs: CsvRecord[], file: string): LoadedEpitome {
  const [header, ...body] = recs;
  const ix = headerIndex(header, ['id', 'seeker_post', 'response_post', 'labels'], file);
  if (body.length === 0) throw new DataError(file, undefined, 'no data rows after the header');
  const hasSpans = 'rationale_spans' in ix;
  const rows: RawRow[] = body.map((rec) => {
    checkWidth(rec, header.fields.length, file);
    const f = (c: string) => rec.fields[ix[c]];
    const level = parseLevel(f('labels'));
    if (level === undefined) throw new DataError(file, rec.line, `labels (level) must be 0, 1 or 2, found ${JSON.stringify(f('labels'))}`);
    const seeker = f('seeker_post').trim();
    const response = f('response_post').trim();
    if (seeker === '') throw new DataError(file, rec.line, 'empty seeker_post');
    if (response === '') throw new DataError(file, rec.line, 'empty response_post');
    const id = f('id').trim();
    const cut = id.indexOf('_');
    const spans = hasSpans ? parseSpans(f('rationale_spans'), file, rec.line) : [];
    for (const [, e] of spans) if (e > response.length) throw new DataError(file, rec.line, `rationale span end ${e} is past the response (${response.length} characters)`);
    return {
      sp_id: cut > 0 ? id.slice(0, cut) : id,
      rp_id: cut > 0 ? id.slice(cut + 1) : '',
      seeker_post: seeker,
      response_post: response,
      ...labelFromSpans(response, level, spans), // the file's offsets, not located again
      line: rec.line,
    };
  });
  const warnings = hasSpans
    ? []
    : [`${file}: no rationale_spans column (a file from the original process_data.py?): its token labels belong to another tokenizer, so only levels are used — train on the raw CSV for rationale supervision`];
  const dup = duplicateIdWarning(rows, file);
  if (dup) warnings.push(dup);
  return { rows, warnings, mechanism: mechanismFromFileName(file) };
}

export async function loadLabeledCsv(file: string, opts: ReadCsvOptions = {}): Promise<LoadedEpitome & { format: LabeledFormat }> {
  const recs = await readCsvFile(file, opts);
  if (recs.length === 0) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  const format = detectFormat(recs[0].fields);
  if (format === 'processed') return { ...processedRecordsToRows(recs, file), format };
  return { ...rawRowsFromRecords(recs, file), format: 'raw' }; // raw, or a clear missing-column error
}
