// Confusion-matrix payloads from an EvalReport (or one MechanismEval), with examples per cell when
// predictions are given, and an aligned-text fallback.
import type { ConfusionPayload, ExampleRef, Level, Mechanism } from '../protocol/mime';
import { LEVEL_NAMES } from '../protocol/mime';
import type { EvalReport, LabeledPair, MechanismEval, PairPrediction } from '../engine';

export interface ConfusionOptions {
  title?: string;
  /** With gold data and predictions, each matrix cell lists up to `examplesPerCell` examples. */
  data?: readonly LabeledPair[];
  predictions?: readonly PairPrediction[];
  examplesPerCell?: number;
}

function isMechanismEval(v: unknown): v is MechanismEval {
  return typeof v === 'object' && v !== null && Array.isArray((v as MechanismEval).confusion) && typeof (v as MechanismEval).mechanism === 'string';
}

export function confusionPayload(report: EvalReport | MechanismEval, opts: ConfusionOptions = {}): ConfusionPayload {
  const evals: MechanismEval[] = isMechanismEval(report)
    ? [report]
    : Object.values((report as EvalReport).mechanisms ?? {}).filter((e): e is MechanismEval => !!e);
  if (evals.length === 0) throw new TypeError('display.confusion: expected an EvalReport (with mechanisms) or a MechanismEval');
  const cap = opts.examplesPerCell ?? 5;
  const predById = new Map((opts.predictions ?? []).map((p) => [p.id, p]));
  return {
    v: 1,
    ...(opts.title ? { title: opts.title } : {}),
    mechanisms: evals.map((e) => {
      let examples: Record<string, ExampleRef[]> | undefined;
      if (opts.data && opts.predictions) {
        examples = {};
        for (const pair of opts.data) {
          const gold = pair.labels[e.mechanism]?.level;
          const pred = predById.get(pair.id)?.mechanisms[e.mechanism]?.level;
          if (gold === undefined || pred === undefined) continue;
          const key = `${gold},${pred}`;
          const list = (examples[key] ??= []);
          if (list.length < cap) list.push({ id: pair.id, seekerPost: pair.seekerPost, responsePost: pair.responsePost, gold, pred });
        }
      }
      return {
        mechanism: e.mechanism as Mechanism,
        matrix: e.confusion.map((r) => [...r]),
        accuracy: e.accuracy,
        macroF1: e.macroF1,
        kappa: e.kappa,
        kappaQuadratic: e.kappaQuadratic,
        perClass: e.perClass.map((c) => ({ level: c.level as Level, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support })),
        ...(examples ? { examples } : {}),
      };
    }),
  };
}

export function confusionText(p: ConfusionPayload): string {
  const out: string[] = [];
  if (p.title) out.push(p.title);
  for (const m of p.mechanisms) {
    out.push(`${m.mechanism}: accuracy ${m.accuracy.toFixed(3)}, macro-F1 ${m.macroF1.toFixed(3)}, kappa ${m.kappa.toFixed(3)}`);
    out.push(`  gold\\pred  ${LEVEL_NAMES.map((n) => n.padStart(6)).join(' ')}`);
    m.matrix.forEach((row, g) => out.push(`  ${LEVEL_NAMES[g].padEnd(9)}  ${row.map((c) => String(c).padStart(6)).join(' ')}`));
  }
  return out.join('\n');
}
