// MIME type → renderer. Every host (notebook renderer, report page, panels) goes through renderOutput.
import { MIME } from '../../kernel/protocol/mime';
import type { RenderContext } from '../core/context';
import type { RenderFn } from '../core/guard';
import { renderError } from '../core/errorBox';
import { ensureStyles } from '../core/styles';
import { purgePlots } from '../core/plotly';
import { render as lossCurve } from './lossCurve';
import { render as confusion } from './confusion';
import { render as rationales } from './rationales';
import { render as dataset } from './dataset';
import { render as metrics } from './metrics';
import { render as runs } from './runs';
import { render as table } from './table';

export const renderers: Record<string, RenderFn> = {
  [MIME.lossCurve]: lossCurve,
  [MIME.confusion]: confusion,
  [MIME.rationales]: rationales,
  [MIME.dataset]: dataset,
  [MIME.metrics]: metrics,
  [MIME.runs]: runs,
  [MIME.table]: table,
};

/** Render one output; an unknown MIME type also gets the error box. */
export async function renderOutput(el: HTMLElement, mime: string, payload: unknown, ctx: RenderContext): Promise<void> {
  const r = renderers[mime];
  if (!r) {
    ensureStyles(el.ownerDocument);
    el.classList.add('ew-root');
    renderError(el, 'Cannot render output', new Error(`no renderer for MIME type ${mime}`));
    return;
  }
  await r(el, payload, ctx);
}

/** Release what a rendered output holds (plotly plots) before the host discards the element. */
export function disposeOutput(el: HTMLElement): void {
  purgePlots(el);
}
