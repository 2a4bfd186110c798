// Entry of the HTML report (and any static page): renders every
// <div class="empathy-output" data-mime="…"><script type="application/json">payload</script></div>.
// Plotly is inlined by the report before this script (window.Plotly); otherwise it is loaded from
// `data-plotly-url` on this script or <body>, else from plotly.min.js beside this script.
import { defaultStateStore, type RenderContext } from '../core/context';
import { PayloadError, renderError } from '../core/errorBox';
import { ensureStyles } from '../core/styles';
import { installFallbackTheme } from '../core/theme';
import { renderOutput, disposeOutput, renderers } from '../renderers/registry';
import { MIME } from '../../kernel/protocol/mime';

const script = document.currentScript as HTMLScriptElement | null;

function pageContext(): RenderContext {
  const explicit = script?.dataset.plotlyUrl ?? document.body?.dataset.plotlyUrl;
  const beside = script?.src ? new URL('plotly.min.js', script.src).href : undefined;
  return { plotlyUrl: explicit ?? beside, nonce: script?.nonce || document.body?.dataset.nonce || undefined, state: defaultStateStore('empathy.report.') };
}

/** Render one `.empathy-output` element from its embedded JSON payload. */
export async function renderElement(el: HTMLElement, ctx: RenderContext = pageContext()): Promise<void> {
  const mime = el.dataset.mime ?? '';
  const holder = el.querySelector('script[type="application/json"]');
  let payload: unknown;
  try {
    payload = JSON.parse(holder?.textContent ?? '');
  } catch (e) {
    ensureStyles();
    el.classList.add('ew-root');
    renderError(el, 'Cannot render output: its payload is not valid JSON', new PayloadError(mime, '', (e as Error).message));
    return;
  }
  const target = document.createElement('div');
  el.appendChild(target);
  holder?.remove();
  await renderOutput(target, mime, payload, ctx);
}

/** Render every output on the page (in order; each failure stays inside its own box). */
export async function renderAll(root: ParentNode = document): Promise<void> {
  installFallbackTheme();
  ensureStyles();
  const ctx = pageContext();
  const els = Array.from(root.querySelectorAll<HTMLElement>('.empathy-output[data-mime]')).filter((e) => !e.dataset.rendered);
  for (const el of els) {
    el.dataset.rendered = 'true';
    await renderElement(el, ctx);
  }
  document.documentElement.dataset.empathyRendered = String(els.length);
}

// A small global for pages that add outputs later (live reports, tests).
(window as unknown as { EmpathyWebviews: unknown }).EmpathyWebviews = {
  MIME, renderAll, renderElement, disposeOutput, mimeTypes: Object.keys(renderers),
  render: (el: HTMLElement, mime: string, payload: unknown, ctx?: RenderContext) => renderOutput(el, mime, payload, ctx ?? pageContext()),
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void renderAll());
else void renderAll();
