// `node out/bench/rationaleGate.js <dir>`: which rule should gate the offline-default's rationales?
// Reads the out-of-fold predictions of a `bench:quality --save-preds` run (quality.fold<i>.preds.json),
// scores gate rules × token thresholds per mechanism with kernel/metrics' token-F1, and selects by
// NESTED cross-validation (choose on the other folds, score on the held-out one); writes
// bench/results/rationale-gate.{md,json}. Level predictions do not depend on the gate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mechanism } from '../kernel/engine/types';
import { MECHANISMS } from '../dataset/schema';
import { levelMetrics } from '../kernel/metrics/levels';
import { tokenF1 } from '../kernel/metrics/rationales';
import { rationaleShown } from '../kernel/models/ensemble/combine';
import { defaultEnsembleWeights } from '../kernel/models/ensemble/config';
import { argmax3 } from '../kernel/models/evaluate';

const MECHS: Mechanism[] = [...MECHANISMS];
const THRESHOLDS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
const TAUS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
/** Issue #8's rationale targets (level>0 rows) — reported, never used for selection. */
const TARGETS: Record<Mechanism, number> = { ER: 0.52, IP: 0.84, EX: 0.8 };

interface Row {
  id: string;
  gold: Partial<Record<Mechanism, number>>;
  goldTokens: Partial<Record<Mechanism, number[]>>;
  linear: Partial<Record<Mechanism, number[]>>;
  tagger: Partial<Record<Mechanism, number[]>>;
  tokens: Partial<Record<Mechanism, number[]>>;
  linearTokens?: Partial<Record<Mechanism, number[]>>;
}
/** a: argmax level > 0 · b: P(level > 0) ≥ τ · c: no gate · d: argmax > 0 or P ≥ τ · e: soft, P(level > 0) · token probability ≥ threshold · f: argmax > 0 and soft. */
type Rule = { kind: 'a' | 'b' | 'c' | 'd' | 'e' | 'f'; tau?: number; threshold: number; /** ρ: share of the linear model's token probabilities. */ mix: number };
const MIXES = [0, 0.25, 0.5, 0.6, 0.75, 0.9, 1];
interface Score {
  /** Pooled token-F1 on gold level > 0 rows (issue #8's metric). */
  pos: number;
  /** Pooled token-F1 on all rows: a rationale on a gold level-0 response is all false positives. */
  all: number;
  /** Share of gold level-0 responses with at least one rationale token shown. */
  falseShow: number;
}

const KINDS: Record<Rule['kind'], string> = { a: 'argmax level > 0', b: 'P(level > 0) ≥ τ', c: 'no gate', d: 'argmax > 0 or P(level > 0) ≥ τ', e: 'soft: P(level > 0) × token probability', f: 'argmax level > 0 and soft' };
const ruleName = (r: Rule) => `${r.kind === 'a' ? 'argmax > 0' : r.kind === 'c' ? 'no gate' : r.kind === 'b' ? `P ≥ ${r.tau}` : r.kind === 'e' ? 'soft' : r.kind === 'f' ? 'argmax > 0 and soft' : `argmax > 0 or P ≥ ${r.tau}`}, threshold ${r.threshold}, ρ ${r.mix}`;
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const f3 = (x: number) => x.toFixed(3);

function ensembleProbs(r: Row, m: Mechanism): [number, number, number] {
  const w = defaultEnsembleWeights[m];
  return [0, 1, 2].map((c) => w * r.linear[m]![c] + (1 - w) * r.tagger[m]![c]) as [number, number, number];
}

function shown(rule: Rule, p: [number, number, number], m: Mechanism): boolean {
  if (rule.kind === 'c' || rule.kind === 'e') return true;
  if (rule.kind === 'a' || rule.kind === 'f') return rationaleShown(p, m);
  const byProb = rationaleShown(p, m, { [m]: rule.tau });
  return rule.kind === 'b' ? byProb : byProb || argmax3(p) > 0;
}

function score(rows: Row[], m: Mechanism, rule: Rule): Score {
  const all: Array<{ gold: number[]; pred: number[] }> = [];
  const pos: typeof all = [];
  let n0 = 0;
  let fa = 0;
  for (const r of rows) {
    if (r.gold[m] === undefined) continue;
    const probs = ensembleProbs(r, m);
    const s = shown(rule, probs, m);
    const scale = rule.kind === 'e' || rule.kind === 'f' ? probs[1] + probs[2] : 1;
    const lt = r.linearTokens?.[m];
    const tok = (p: number, k: number) => (lt ? rule.mix * lt[k] + (1 - rule.mix) * p : p);
    const item = { gold: r.goldTokens[m]!, pred: r.tokens[m]!.map((p, k) => (s && tok(p, k) * scale >= rule.threshold ? 1 : 0)) };
    all.push(item);
    if (r.gold[m]! > 0) pos.push(item);
    else {
      n0++;
      if (item.pred.some((v) => v === 1)) fa++;
    }
  }
  return { pos: tokenF1(pos), all: tokenF1(all), falseShow: fa / Math.max(1, n0) };
}

function main(): void {
  const dir = path.resolve(process.argv[2] ?? 'bench/results');
  const out = path.resolve(__dirname, '../..', process.argv[3] ?? 'bench/results');
  const folds: Row[][] = [];
  for (let f = 0; fs.existsSync(path.join(dir, `quality.fold${f}.preds.json`)); f++) folds.push(JSON.parse(fs.readFileSync(path.join(dir, `quality.fold${f}.preds.json`), 'utf8')) as Row[]);
  if (folds.length < 3) throw new Error(`rationaleGate: need ≥ 3 quality.fold<i>.preds.json in ${dir} (npm run bench:quality -- --save-preds)`);
  const rules: Rule[] = [];
  const mixes = folds.every((rows) => rows.every((r) => r.linearTokens)) ? MIXES : [0];
  for (const mix of mixes) {
    for (const threshold of THRESHOLDS) {
      rules.push({ kind: 'a', threshold, mix }, { kind: 'c', threshold, mix }, { kind: 'e', threshold, mix }, { kind: 'f', threshold, mix });
      for (const tau of TAUS) rules.push({ kind: 'b', tau, threshold, mix }, { kind: 'd', tau, threshold, mix });
    }
  }
  const md = [
    '# Rationale gate of the offline default: nested grouped CV on out-of-fold predictions',
    '',
    `\`node out/bench/rationaleGate.js <dir of a bench:quality --save-preds run>\` · ${new Date().toISOString()} · ${folds.length} folds, ${folds.reduce((a, f) => a + f.length, 0)} rows · ensemble weights ${MECHS.map((m) => `${m} ${defaultEnsembleWeights[m]}`).join(', ')}`,
    '',
    `Selection criterion: pooled rationale token-F1 over ALL rows of the mechanism (a rationale shown on a gold level-0 response counts as false positives), so a looser gate must earn its extra tokens. Nested: for each held-out fold, the rule (within a family, or over all families) with the best mean criterion on the other folds, scored on the held-out fold; in-sample: the best mean over all folds. Ties go to the larger τ. Grids: τ ∈ {${TAUS.join(', ')}}, threshold ∈ {${THRESHOLDS.join(', ')}}, ρ (share of the linear sentence model's token probabilities; the tagger's get 1 − ρ) ∈ {${mixes.join(', ')}}. "level>0 F1" is issue #8's metric (targets ${MECHS.map((m) => `${m} ${TARGETS[m]}`).join(', ')}); "shown on level 0" is the share of gold level-0 responses with any rationale token shown. Level macro-F1 does not depend on the gate.`,
    '',
  ];
  const json: Record<string, unknown> = {};
  for (const m of MECHS) {
    const S = rules.map((r) => folds.map((rows) => score(rows, m, r)));
    const lv = folds.map((rows) => {
      const rs = rows.filter((r) => r.gold[m] !== undefined);
      return levelMetrics(rs.map((r) => r.gold[m]!), rs.map((r) => argmax3(ensembleProbs(r, m)))).macroF1;
    });
    const crit = (i: number, skip = -1) => mean(S[i].filter((_, f) => f !== skip).map((s) => s.all));
    const best = (idx: number[], skip = -1) => idx.reduce((b, i) => (crit(i, skip) > crit(b, skip) + 1e-9 || (Math.abs(crit(i, skip) - crit(b, skip)) <= 1e-9 && (rules[i].tau ?? 0) > (rules[b].tau ?? 0)) ? i : b), idx[0]);
    const agg = (ss: Score[]) => ({ pos: mean(ss.map((s) => s.pos)), posSd: sd(ss.map((s) => s.pos)), all: mean(ss.map((s) => s.all)), falseShow: mean(ss.map((s) => s.falseShow)) });
    const current = rules.findIndex((r) => r.kind === 'a' && r.threshold === 0.5 && r.mix === 0);
    md.push(`## ${m} — level macro-F1 ${f3(mean(lv))} ± ${f3(sd(lv))} (unchanged by any gate)`, '', '| rule family | in-sample best | level>0 F1 | all-rows F1 | shown on level 0 | nested picks (per held-out fold) | nested level>0 F1 | nested all-rows F1 | nested shown on level 0 |', '|---|---|---|---|---|---|---|---|---|');
    const cur = agg(S[current]);
    md.push(`| first rule (tagger tokens only) | ${ruleName(rules[current])} | ${f3(cur.pos)} ± ${f3(cur.posSd)} | ${f3(cur.all)} | ${f3(cur.falseShow)} | (fixed) | | | |`);
    const fam: Record<string, unknown> = { first: { rule: rules[current], ...cur } };
    for (const kind of ['a', 'b', 'c', 'd', 'e', 'f', 'any'] as const) {
      const idx = rules.map((_, i) => i).filter((i) => kind === 'any' || rules[i].kind === kind);
      const ins = best(idx);
      const picks = folds.map((_, f) => best(idx, f));
      const nested = agg(picks.map((i, f) => S[i][f]));
      const insA = agg(S[ins]);
      md.push(`| ${kind === 'any' ? 'any of the above' : KINDS[kind]} | ${ruleName(rules[ins])} | ${f3(insA.pos)} ± ${f3(insA.posSd)} | ${f3(insA.all)} | ${f3(insA.falseShow)} | ${picks.map((i) => ruleName(rules[i])).join('; ')} | ${f3(nested.pos)} ± ${f3(nested.posSd)} | ${f3(nested.all)} | ${f3(nested.falseShow)} |`);
      fam[kind] = { inSample: { rule: rules[ins], ...insA }, nested: { picks: picks.map((i) => rules[i]), ...nested } };
    }
    // The price of issue #8's target on level>0 rows: the in-sample rule reaching it that shows the fewest level-0 rationales.
    const reach = rules.map((_, i) => i).filter((i) => agg(S[i]).pos >= TARGETS[m]).sort((x, y) => agg(S[x]).falseShow - agg(S[y]).falseShow)[0];
    const r = reach === undefined ? undefined : agg(S[reach]);
    md.push('', r ? `Cheapest rule reaching the level>0 target ${TARGETS[m]} (in-sample, not nested): ${ruleName(rules[reach!])} — level>0 F1 ${f3(r.pos)}, all-rows F1 ${f3(r.all)}, rationale shown on ${(100 * r.falseShow).toFixed(0)}% of gold level-0 responses (first rule: ${(100 * cur.falseShow).toFixed(0)}%).` : `No rule in the grid reaches the level>0 target ${TARGETS[m]}.`, '');
    json[m] = { levelMacroF1: { mean: mean(lv), std: sd(lv) }, families: fam, cheapestReachingTarget: r ? { rule: rules[reach!], ...r } : null };
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'rationale-gate.json'), JSON.stringify({ source: dir, date: new Date().toISOString(), thresholds: THRESHOLDS, taus: TAUS, weights: defaultEnsembleWeights, mechanisms: json }, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'rationale-gate.md'), md.join('\n'));
}

if (require.main === module) main();
