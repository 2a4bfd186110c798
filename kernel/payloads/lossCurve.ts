// Loss-curve payloads from training events (live while a run trains) or from runs on disk, plus a
// text fallback (last step, best dev metric) for hosts without the renderer.
import type { LossCurvePayload } from '../protocol/mime';
import type { EvalReport, TrainEvent } from '../engine';
import type { RunLogLine, RunRecord } from '../runs/run';
import { lossCurvePayload as recordedCurves } from './runs';
import { flattenReport } from '../metrics/catalog';

type Run = LossCurvePayload['runs'][number];

/** Anything display.lossCurve accepts. */
export type LossCurveSource =
  | readonly TrainEvent[]
  | { events: readonly TrainEvent[]; id?: string; label?: string }
  | LossCurvePayload
  | Run
  /** A recorded run (RunStore.get) with its events (RunStore.events). */
  | { run: RunRecord; events: readonly RunLogLine[] };

function flattenDev(dev: EvalReport | undefined): Record<string, number> {
  return flattenReport(dev, { loss: true, which: (d) => !!d.curve });
}

/** One run's curve from its events (step + epoch events; others ignored). */
export function runFromEvents(events: readonly TrainEvent[], id = 'run', label = id): Run {
  const run: Run = { id, label, steps: [], epochs: [] };
  for (const e of events) {
    if (e.type === 'step') run.steps.push({ step: e.step, epoch: e.epoch, loss: e.loss, lossLevel: e.lossLevel, lossRationale: e.lossRationale, lr: e.lr });
    else if (e.type === 'epoch') run.epochs.push({ epoch: e.epoch, step: e.step, metrics: { trainLoss: e.trainLoss, ...flattenDev(e.dev) } });
  }
  return run;
}

function isRun(v: unknown): v is Run {
  return typeof v === 'object' && v !== null && Array.isArray((v as Run).steps) && Array.isArray((v as Run).epochs) && typeof (v as Run).id === 'string';
}

export function lossCurvePayload(sources: LossCurveSource | readonly LossCurveSource[], live = false): LossCurvePayload {
  const list: LossCurveSource[] = Array.isArray(sources) && sources.length > 0 && !('type' in (sources[0] as object))
    ? [...(sources as LossCurveSource[])]
    : [sources as LossCurveSource];
  const runs: Run[] = [];
  list.forEach((s, i) => {
    if (Array.isArray(s)) runs.push(runFromEvents(s as TrainEvent[], `run-${i + 1}`));
    else if ((s as LossCurvePayload).v === 1 && Array.isArray((s as LossCurvePayload).runs)) runs.push(...(s as LossCurvePayload).runs);
    else if (isRun(s)) runs.push(s);
    else if (typeof (s as { run?: RunRecord }).run === 'object' && Array.isArray((s as { events?: unknown }).events)) {
      runs.push(...recordedCurves([s as { run: RunRecord; events: readonly RunLogLine[] }]).runs);
    }
    else if (Array.isArray((s as { events?: unknown }).events)) {
      const r = s as { events: readonly TrainEvent[]; id?: string; label?: string };
      runs.push(runFromEvents(r.events, r.id ?? `run-${i + 1}`, r.label ?? r.id ?? `run-${i + 1}`));
    } else throw new TypeError('display.lossCurve: expected training events, { events }, a run curve or a loss-curve payload');
  });
  return { v: 1, ...(live ? { live } : {}), runs };
}

export function lossCurveText(p: LossCurvePayload): string {
  if (p.runs.length === 0) return 'Loss curve: no runs';
  return p.runs.map((r) => {
    const last = r.steps[r.steps.length - 1];
    const head = `Loss curve ${r.label}${p.live ? ' (training…)' : ''}: ${r.steps.length} steps`;
    const lastTxt = last ? `, step ${last.step} loss ${last.loss.toFixed(4)} (level ${last.lossLevel.toFixed(4)}, rationale ${last.lossRationale.toFixed(4)})` : '';
    const ep = r.epochs.map((e) => `  epoch ${e.epoch}: ${Object.entries(e.metrics).map(([k, v]) => `${k}=${Number.isFinite(v) ? v.toFixed(4) : v}`).join(' ')}`);
    return [head + lastTxt, ...ep].join('\n');
  }).join('\n');
}
