// `empathy stats`: what is in a labelled CSV — label distribution, lengths, truncation at max_len,
// duplicate seeker posts, rationale coverage.
import { loadLabeledCsv } from '../../../dataset/labeled';
import { datasetStats, type DatasetStats, type LengthSummary } from '../../../dataset/stats';
import { UsageError } from '../args';
import type { Command } from '../command';
import { pathList } from '../../../dataset/labeledFiles';
import { ENCODING_OPTION, encodingOption } from '../fileOptions';
import { resolveTokenizer } from '../tokenizerOption';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const len = (s: LengthSummary) => `mean ${s.mean.toFixed(1)}, median ${s.median}, p95 ${s.p95}, max ${s.max}`;

export function statsText(s: DatasetStats): string {
  const L = [
    `${s.file}${s.mechanism ? ` (${s.mechanism})` : ''}: ${s.rows} rows`,
    `  levels 0/1/2: ${s.levels.counts.join(' / ')}  (${s.levels.shares.map(pct).join(' / ')})`,
    `  seeker   chars: ${len(s.lengths.seekerChars)}`,
    `  response chars: ${len(s.lengths.responseChars)}`,
    `  seeker   tokens: ${len(s.lengths.seekerTokens)}`,
    `  response tokens: ${len(s.lengths.responseTokens)}`,
    `  truncated at max_len ${s.truncation.maxLen}: seeker ${pct(s.truncation.seeker)}, response ${pct(s.truncation.response)}`,
    `    tokens: ${s.truncation.tokens}`,
    `  seeker posts: ${s.duplicates.seekerIds} distinct sp_id, ${s.duplicates.seekerIdsWithSeveralResponses} with several responses, ${s.duplicates.seekerTextsUnderSeveralIds} texts under several ids; duplicate (sp_id, rp_id): ${s.duplicates.duplicatePairIds}`,
    `  rationales: ${s.rationales.rowsWithRationale} rows with one (mean coverage ${pct(s.rationales.meanCoverage)} of response characters); level>0 without: ${s.rationales.positiveWithoutRationale} of ${s.rationales.positiveRows}; level 0 with: ${s.rationales.zeroWithRationale}; located ${s.rationales.located}, not found ${s.rationales.notFound}`,
  ];
  return L.join('\n');
}

export const stats: Command = {
  name: 'stats',
  summary: 'label distribution, lengths, truncation, duplicates, rationale coverage of CSVs',
  usage: 'usage: empathy stats --input_path A.csv[,B.csv] [--max_len 64] [--tokenizer DIR|CKPT] [--json]',
  options: [
    { name: 'input_path', type: 'list', metavar: 'PATH', help: 'raw or processed EPITOME CSV(s)' },
    { name: 'max_len', type: 'number', default: 64, help: 'tokens per side incl. <s> and </s>' },
    { name: 'tokenizer', type: 'string', metavar: 'DIR|CKPT', help: 'model tokens (default: word tokens, an approximation)' },
    { name: 'json', type: 'boolean', help: 'print JSON' },
    ENCODING_OPTION,
  ],
  async run(args, ctx) {
    const o = args.opts as { input_path: string[]; max_len: number; tokenizer?: string; json: boolean; encoding?: string };
    const files = pathList(o.input_path);
    if (files.length === 0) throw new UsageError('stats needs --input_path');
    const tok = await resolveTokenizer(o.tokenizer);
    const all: DatasetStats[] = [];
    for (const f of files) {
      const { rows, warnings, mechanism } = await loadLabeledCsv(f, { encoding: encodingOption(o.encoding) });
      for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
      all.push(datasetStats(f, rows, tok, o.max_len, mechanism));
    }
    ctx.out.write(o.json ? JSON.stringify(all, null, 2) + '\n' : all.map(statsText).join('\n\n') + '\n');
  },
};
