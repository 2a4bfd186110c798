// Bi-encoder evaluation on labelled pairs: mean loss plus, per mechanism, the full MechanismEval
// (level metrics, corrected rationale metrics, the original's batch-averaged numbers) from kernel/metrics.
import { evalRow, mechanismEval, type EvalRow } from '../../metrics/report';
import { encodePairs } from './encode';
import type { PredictOptions, EvalReport, LabeledPair, Mechanism } from '../../engine';
import { argmaxLevel, runInference, type BiEncoderParts } from './predict';

export interface EvaluateOptions extends PredictOptions {
  /** Loss weights for the reported loss (train.py defaults 0.5 / 0.5). */
  lambdaEI?: number;
  lambdaRE?: number;
}

export async function evaluateBiEncoder(parts: BiEncoderParts, data: readonly LabeledPair[], opts: EvaluateOptions = {}): Promise<EvalReport> {
  const threshold = opts.threshold ?? 0.5;
  const modelMechs = parts.cfg.mechanisms;
  const mechs: Mechanism[] = modelMechs.filter((m) => data.some((p) => p.labels[m] !== undefined));
  // Gold labels in the corrected form (no rationale → all zeros), whatever the model was trained with.
  const { examples } = encodePairs(data, parts.tokenizer, { maxLen: parts.maxLen, mechanisms: mechs });
  const { outputs, loss } = await runInference(parts, examples, {
    ...opts,
    loss: mechs.length > 0 ? { lambdaEI: opts.lambdaEI ?? 0.5, lambdaRE: opts.lambdaRE ?? 0.5, mechanisms: mechs } : undefined,
  });
  const report: EvalReport = { loss: mechs.length > 0 ? loss : NaN, mechanisms: {} };
  for (const m of mechs) {
    const rows: EvalRow[] = [];
    examples.forEach((ex, i) => {
      const gold = ex.levels[m];
      if (gold === undefined || gold < 0) return;
      const probs = outputs[i].tokenProbs[m]!;
      const goldTokens = ex.rationale[m]!.slice(1, -1);
      const predTokens = Array.from(probs.slice(1, -1), (p) => (p >= threshold ? 1 : 0));
      const pred = { level: argmaxLevel(outputs[i].levelProbs[m]!), probs: Array.from(outputs[i].levelProbs[m]!) };
      rows.push(evalRow({ level: gold, rationales: data[i].labels[m]!.rationales }, pred, { gold: goldTokens, pred: predTokens }));
    });
    report.mechanisms[m] = mechanismEval(m, rows, { batchSize: 32, maxLen: parts.maxLen });
  }
  return report;
}
