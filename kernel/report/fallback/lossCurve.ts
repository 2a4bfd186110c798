// The loss curves as one static SVG (image/svg+xml): the total training loss of each run against the
// step, axes labelled with their range, and under the plot each run's last loss and its last dev
// epoch's macro-F1 per mechanism, printed in the renderer's number format.
import type { LossCurvePayload } from '../../protocol/mime';
import { fmt } from '../../protocol/numberFormat';
import { escapeHtml } from './html';

const W = 640;
const H = 260;
const PAD = { left: 56, right: 16, top: 16, bottom: 32 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** One summary line per run: its last step's loss and the last dev epoch's macro-F1s. */
function summaryLine(run: LossCurvePayload['runs'][number]): string {
  const last = run.steps[run.steps.length - 1];
  const dev = run.epochs[run.epochs.length - 1];
  const f1 = dev ? Object.entries(dev.metrics).filter(([k]) => k.endsWith('.macroF1')).map(([k, v]) => `${k.replace('.macroF1', '')} macro-F1 ${fmt(v)}`) : [];
  return `${run.label}: ${last ? `step ${last.step} loss ${fmt(last.loss)}` : 'no steps yet'}${f1.length ? ` · dev epoch ${dev.epoch}: ${f1.join(', ')}` : ''}`;
}

export function lossCurveSvg(p: LossCurvePayload): string {
  const points = p.runs.flatMap((r) => r.steps.filter((s) => Number.isFinite(s.loss)));
  const xs = points.map((s) => s.step);
  const ys = points.map((s) => s.loss);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = ys.length ? [Math.min(0, ...ys), Math.max(...ys)] : [0, 1];
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const lines = p.runs.map((r, i) => {
    const pts = r.steps.filter((s) => Number.isFinite(s.loss)).map((s) => `${sx(s.step).toFixed(1)},${sy(s.loss).toFixed(1)}`).join(' ');
    return `<polyline class="ew-run" data-run="${escapeHtml(r.id)}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.5" points="${pts}"/>`;
  }).join('');
  const summary = p.runs.map((r, i) => `<text class="ew-summary" x="${PAD.left}" y="${H + 18 * (i + 1)}" fill="${COLOURS[i % COLOURS.length]}">${escapeHtml(summaryLine(r))}${p.live ? ' (live)' : ''}</text>`).join('');
  const height = H + 18 * p.runs.length + 8;
  const axis = `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#888"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#888"/>` +
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${fmt(y1)}</text>` +
    `<text x="${PAD.left - 4}" y="${H - PAD.bottom}" text-anchor="end">${fmt(y0)}</text>` +
    `<text x="${PAD.left}" y="${H - 10}">step ${fmt(x0)}</text>` +
    `<text x="${W - PAD.right}" y="${H - 10}" text-anchor="end">${fmt(x1)}</text>` +
    `<text x="${(W / 2).toFixed(0)}" y="${H - 10}" text-anchor="middle">training loss</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="#fff"/>${axis}${lines}${summary}</svg>`;
}
