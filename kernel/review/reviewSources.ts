// The inputs of review stats, apply and report, read once: review files (judgements folded, bad lines
// reported with file:line) and gold CSVs (mechanism from the file name, as everywhere) by pair id.
import { mechanismFromFileName, pairId } from '../../dataset/epitome';
import { loadLabeledCsv } from '../../dataset/labeled';
import { readReviewFile, type ReviewLine, type ReviewProblem } from '../../dataset/reviewFile';
import type { Mechanism } from '../../dataset/schema';
import { judgements, type Judgement } from '../../dataset/reviewJudgements';
import type { GoldIndex, GoldPair } from './reviewStats';

export interface LoadedReviews {
  lines: ReviewLine[];
  judgements: Judgement[];
  problems: ReviewProblem[];
}

/** Read and fold review files (each file's retractions apply within all of them). */
export function loadReviews(files: readonly string[]): LoadedReviews {
  const lines: ReviewLine[] = [];
  const problems: ReviewProblem[] = [];
  for (const f of files) {
    const r = readReviewFile(f);
    lines.push(...r.lines);
    problems.push(...r.problems);
  }
  return { lines, judgements: [...judgements(lines).values()], problems };
}

/** Gold labels by mechanism and pair id from labelled CSVs (raw or processed); the mechanism comes from each name. */
export async function loadGoldIndex(files: readonly string[], opts: { mechanism?: Mechanism; encoding?: string } = {}): Promise<{ gold: GoldIndex; warnings: string[] }> {
  const gold: GoldIndex = {};
  const warnings: string[] = [];
  for (const f of files) {
    const mech = mechanismFromFileName(f) ?? (files.length === 1 ? opts.mechanism : undefined);
    if (!mech) throw new Error(`cannot tell the mechanism of ${f} from its name; name it like emotional-reactions-*.csv / *_ER.csv${files.length === 1 ? ' or pass --mechanism ER|IP|EX' : ''}`);
    if (gold[mech]) throw new Error(`two gold files for ${mech}: give one file per mechanism`);
    const loaded = await loadLabeledCsv(f, { encoding: opts.encoding });
    warnings.push(...loaded.warnings);
    const m = new Map<string, GoldPair>();
    for (const r of loaded.rows) if (!m.has(pairId(r))) m.set(pairId(r), { response: r.response_post, label: r });
    gold[mech] = m;
  }
  return { gold, warnings };
}
