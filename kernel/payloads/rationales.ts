// Rationale-heatmap payloads from predictions (token probabilities with character offsets), with
// gold levels and spans when the labelled pairs are given, and a bracketed-text fallback.
import { predictionHealth } from '../metrics/health';
import type { Level, Mechanism, RationalesPayload } from '../protocol/mime';
import type { LabeledPair, PairPrediction } from '../engine';

export interface RationalesOptions {
  /** Gold pairs (matched by id) add gold levels and gold spans. */
  gold?: readonly LabeledPair[];
  maxLen?: number;
  /** Items kept (default 50). */
  limit?: number;
}

type Item = RationalesPayload['items'][number];

export function rationalesPayload(predictions: readonly PairPrediction[], opts: RationalesOptions = {}): RationalesPayload {
  const gold = new Map((opts.gold ?? []).map((g) => [g.id, g]));
  const items: Item[] = predictions.slice(0, opts.limit ?? 50).map((p) => {
    const g = gold.get(p.id);
    const mechanisms: Item['mechanisms'] = {};
    for (const [m, mp] of Object.entries(p.mechanisms) as Array<[Mechanism, NonNullable<PairPrediction['mechanisms'][Mechanism]>]>) {
      const label = g?.labels[m];
      const last = mp.tokens[mp.tokens.length - 1];
      mechanisms[m] = {
        level: mp.level,
        probs: [...mp.probs],
        tokens: mp.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end, prob: t.prob })),
        spans: mp.spans.map((s) => [s.start, s.end] as [number, number]),
        ...(label ? { goldLevel: label.level as Level, goldSpans: label.spans } : {}),
        ...(mp.truncated && last ? { truncatedAt: last.end } : {}),
      };
    }
    return { id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost, mechanisms };
  });
  const health = predictionHealth(predictions);
  return { v: 1, ...(opts.maxLen ? { maxLen: opts.maxLen } : {}), ...(health.learned ? {} : { warnings: [health.message] }), items };
}

/** Response with the predicted rationale in [brackets], per mechanism (tokens ≥ 0.5 for older payloads without spans). */
export function rationalesText(p: RationalesPayload): string {
  const out: string[] = (p.warnings ?? []).map((w) => `⚠ ${w}`);
  for (const it of p.items.slice(0, 20)) {
    out.push(`${it.id}: ${it.responsePost.length > 200 ? it.responsePost.slice(0, 199) + '…' : it.responsePost}`);
    for (const [m, v] of Object.entries(it.mechanisms)) {
      if (!v) continue;
      const spans = (v.spans ?? v.tokens.filter((t) => t.prob >= 0.5).map((t) => [t.start, t.end] as [number, number])).map(([a, b]) => it.responsePost.slice(a, b).trim()).filter(Boolean);
      out.push(`  ${m} level ${v.level}${v.goldLevel !== undefined ? ` (gold ${v.goldLevel})` : ''}: [${spans.join(' ')}]`);
    }
  }
  if (p.items.length > 20) out.push(`… ${p.items.length - 20} more`);
  return out.join('\n');
}
