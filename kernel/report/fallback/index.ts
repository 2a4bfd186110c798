// Rich outputs anywhere: a workbench bundle (application/vnd.empathy.*+json + text/plain) gains a
// self-contained rendering Jupyter front ends and GitHub show without the extension — text/html for
// tables, matrices and heatmaps, image/svg+xml for the loss curve. No script, nothing fetched.
import { MIME, type MimeBundle, type PayloadByMime } from '../../protocol/mime';
import { confusionHtml } from './confusion';
import { lossCurveSvg } from './lossCurve';
import { rationalesHtml } from './rationales';
import { datasetHtml, metricsHtml, runsHtml, tableHtml } from './tables';

type Renderings = { [M in keyof PayloadByMime]: (p: PayloadByMime[M]) => Partial<Record<'text/html' | 'image/svg+xml', string>> };

const RENDER: Renderings = {
  [MIME.lossCurve]: (p) => ({ 'image/svg+xml': lossCurveSvg(p) }),
  [MIME.confusion]: (p) => ({ 'text/html': confusionHtml(p) }),
  [MIME.rationales]: (p) => ({ 'text/html': rationalesHtml(p) }),
  [MIME.dataset]: (p) => ({ 'text/html': datasetHtml(p) }),
  [MIME.metrics]: (p) => ({ 'text/html': metricsHtml(p) }),
  [MIME.runs]: (p) => ({ 'text/html': runsHtml(p) }),
  [MIME.table]: (p) => ({ 'text/html': tableHtml(p) }),
};

/**
 * The bundle plus a static rendering of its workbench payload (the bundle's own MIME and text/plain are
 * kept). Bundles that already carry HTML or an image, or no workbench payload, come back unchanged; a
 * payload the fallback cannot draw (malformed) keeps only its text/plain.
 */
export function withStaticFallback(bundle: MimeBundle): MimeBundle {
  if (['text/html', 'image/svg+xml', 'image/png'].some((m) => m in bundle)) return bundle;
  const mime = (Object.keys(RENDER) as Array<keyof Renderings>).find((m) => m in bundle);
  if (!mime) return bundle;
  try {
    return { ...bundle, ...(RENDER[mime] as (p: unknown) => Record<string, string>)(bundle[mime]) };
  } catch {
    return bundle;
  }
}
