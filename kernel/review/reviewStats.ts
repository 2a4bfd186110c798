// Agreement and use of review files, per mechanism: how many pairs were reviewed, the model's
// accuracy on them, Cohen's κ (unweighted and quadratic) reviewer↔gold and reviewer↔model, rationale
// token-F1 reviewer↔gold and reviewer↔model, and κ between reviewers who judged the same pairs.
import { tokenLabels } from '../../dataset/align';
import { MECHANISMS, type Level, type Mechanism, type MechanismLabel } from '../../dataset/schema';
import { wordTokens } from '../../dataset/wordTokenizer';
import { cohenKappa } from '../metrics/agreement';
import { tokenF1, type TokenItem } from '../metrics/rationales';
import { reviewerSpans, type Judgement } from '../../dataset/reviewJudgements';

/** Gold labels and response text of a pair, for one mechanism. */
export interface GoldPair {
  response: string;
  label: MechanismLabel;
}
/** Gold by mechanism, then pair id. */
export type GoldIndex = Partial<Record<Mechanism, Map<string, GoldPair>>>;

export interface InterReviewer {
  a: string;
  b: string;
  /** Pairs both gave a level to. */
  n: number;
  kappa: number | null;
  kappa_quadratic: number | null;
}

/** One mechanism's numbers (null: nothing to compute it from). Keys are the `--json` output's. */
export interface MechanismReviewStats {
  /** Distinct pairs with a level judgement (any reviewer). */
  reviewed: number;
  /** (reviewer, pair) level judgements. */
  judgements: number;
  reviewers: string[];
  /** Model level = reviewer level, over judgements that recorded the model's level. */
  model_accuracy: number | null;
  /** Model level = gold level on reviewed pairs (with --gold). */
  model_accuracy_gold: number | null;
  /** Reviewer level = gold level (with --gold). */
  agreement_gold: number | null;
  kappa_gold: number | null;
  kappa_gold_quadratic: number | null;
  kappa_model: number | null;
  kappa_model_quadratic: number | null;
  /** Word-token F1 of the reviewer's rationale against gold's / the model's, on pairs with span judgements. */
  token_f1_gold: number | null;
  token_f1_model: number | null;
  gold_suspect: number;
  notes: number;
  /** Judgements whose pair is not in the gold files (with --gold). */
  not_in_gold: number;
  inter_reviewer: InterReviewer[];
  /** With exactly two reviewers: their κ (also in inter_reviewer). */
  kappa_reviewers?: number | null;
  kappa_reviewers_quadratic?: number | null;
}

export type ReviewStats = Partial<Record<Mechanism, MechanismReviewStats>>;

const ratio = (k: number, n: number) => (n === 0 ? null : k / n);

function kappaPair(a: number[], b: number[]): [number | null, number | null] {
  return [cohenKappa(a, b, 'none'), cohenKappa(a, b, 'quadratic')];
}

/** Word-token labels of the response for two span sets (the same unit as evaluate's word-token fallback). */
function spanItem(response: string, a: ReadonlyArray<[number, number]>, b: ReadonlyArray<[number, number]>): TokenItem {
  const offsets = wordTokens(response).tokens.map((t): [number, number] => [t.start, t.end]);
  return { gold: tokenLabels(a, offsets), pred: tokenLabels(b, offsets) };
}

function interReviewer(js: readonly Judgement[]): InterReviewer[] {
  const byReviewer = new Map<string, Map<string, Level>>();
  for (const j of js) {
    if (j.level === undefined) continue;
    const m = byReviewer.get(j.reviewer) ?? new Map<string, Level>();
    m.set(j.pairId, j.level);
    byReviewer.set(j.reviewer, m);
  }
  const names = [...byReviewer.keys()].sort();
  const out: InterReviewer[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let k = i + 1; k < names.length; k++) {
      const A = byReviewer.get(names[i])!;
      const B = byReviewer.get(names[k])!;
      const shared = [...A.keys()].filter((p) => B.has(p));
      const [kappa, kq] = kappaPair(shared.map((p) => A.get(p)!), shared.map((p) => B.get(p)!));
      out.push({ a: names[i], b: names[k], n: shared.length, kappa, kappa_quadratic: kq });
    }
  }
  return out;
}

/** Numbers of one mechanism from its judgements (all reviewers) and, when given, its gold pairs. */
export function mechanismReviewStats(js: readonly Judgement[], gold: Map<string, GoldPair> | undefined): MechanismReviewStats {
  const leveled = js.filter((j) => j.level !== undefined);
  const withModel = leveled.filter((j) => j.modelLevel !== undefined);
  const withGold = gold ? leveled.filter((j) => gold.has(j.pairId)) : [];
  const [kg, kgq] = kappaPair(withGold.map((j) => j.level!), withGold.map((j) => gold!.get(j.pairId)!.label.level));
  const [km, kmq] = kappaPair(withModel.map((j) => j.level!), withModel.map((j) => j.modelLevel!));
  const modelAndGold = withGold.filter((j) => j.modelLevel !== undefined);
  const goldItems: TokenItem[] = [];
  const modelItems: TokenItem[] = [];
  for (const j of js) {
    const mine = reviewerSpans(j);
    const g = gold?.get(j.pairId);
    if (!mine || !g) continue;
    goldItems.push(spanItem(g.response, g.label.spans, mine));
    if (j.modelSpans) modelItems.push(spanItem(g.response, j.modelSpans, mine));
  }
  const inter = interReviewer(js);
  const s: MechanismReviewStats = {
    reviewed: new Set(leveled.map((j) => j.pairId)).size,
    judgements: leveled.length,
    reviewers: [...new Set(js.map((j) => j.reviewer))].sort(),
    model_accuracy: ratio(withModel.filter((j) => j.modelLevel === j.level).length, withModel.length),
    model_accuracy_gold: ratio(modelAndGold.filter((j) => j.modelLevel === gold!.get(j.pairId)!.label.level).length, modelAndGold.length),
    agreement_gold: ratio(withGold.filter((j) => j.level === gold!.get(j.pairId)!.label.level).length, withGold.length),
    kappa_gold: kg,
    kappa_gold_quadratic: kgq,
    kappa_model: km,
    kappa_model_quadratic: kmq,
    token_f1_gold: goldItems.length ? tokenF1(goldItems) : null,
    token_f1_model: modelItems.length ? tokenF1(modelItems) : null,
    gold_suspect: js.filter((j) => j.goldSuspect).length,
    notes: js.reduce((n, j) => n + j.notes.length, 0),
    not_in_gold: gold ? js.filter((j) => !gold.has(j.pairId)).length : 0,
    inter_reviewer: inter,
  };
  if (inter.length === 1) {
    s.kappa_reviewers = inter[0].kappa;
    s.kappa_reviewers_quadratic = inter[0].kappa_quadratic;
  }
  return s;
}

/** Stats of every mechanism that has judgements. */
export function reviewStats(all: Iterable<Judgement>, gold: GoldIndex = {}): ReviewStats {
  const list = [...all];
  const out: ReviewStats = {};
  for (const m of MECHANISMS) {
    const js = list.filter((j) => j.mechanism === m);
    if (js.length > 0) out[m] = mechanismReviewStats(js, gold[m]);
  }
  return out;
}

const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));

/** The rows of a stats table (one per mechanism): the CLI's text, the notebook's display and the report's. */
export function reviewStatsTable(s: ReviewStats): { columns: string[]; rows: Array<Array<string | number>> } {
  const columns = ['mechanism', 'reviewed', 'reviewers', 'model acc.', 'κ gold', 'κ_w gold', 'κ model', 'κ_w model', 'token-F1 gold', 'token-F1 model', 'κ reviewers', 'gold suspect', 'notes'];
  const rows = MECHANISMS.filter((m) => s[m]).map((m) => {
    const x = s[m]!;
    const inter = x.inter_reviewer.length === 0 ? '—' : x.inter_reviewer.map((r) => `${r.a}/${r.b}: ${num(r.kappa)} (n=${r.n})`).join('; ');
    return [m, x.reviewed, x.reviewers.join(', '), num(x.model_accuracy), num(x.kappa_gold), num(x.kappa_gold_quadratic), num(x.kappa_model), num(x.kappa_model_quadratic), num(x.token_f1_gold), num(x.token_f1_model), inter, x.gold_suspect, x.notes];
  });
  return { columns, rows };
}

/** Plain-text table for the terminal. */
export function reviewStatsText(s: ReviewStats): string {
  const { columns, rows } = reviewStatsTable(s);
  if (rows.length === 0) return 'no judgements';
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const width = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd()).join('\n');
}
