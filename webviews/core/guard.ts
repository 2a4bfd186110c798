// The shared shell of every renderer: styles in, root class on, and any failure (bad payload, plotly
// missing, a bug) turned into the visible error box instead of a blank or half-drawn output.
import type { RenderContext } from './context';
import { PayloadError, renderError } from './errorBox';
import { ensureStyles } from './styles';

export type RenderFn = (el: HTMLElement, payload: unknown, ctx: RenderContext) => void | Promise<void>;

export function guarded(title: string, body: RenderFn): RenderFn {
  return (el, payload, ctx) => {
    ensureStyles(el.ownerDocument);
    el.classList.add('ew-root');
    const fail = (e: unknown) => {
      renderError(el, e instanceof PayloadError ? `Cannot render ${title}: invalid payload` : `Cannot render ${title}`, e);
      if (!(e instanceof PayloadError)) console.warn(`[empathy] ${title} renderer failed`, e);
    };
    try {
      const r = body(el, payload, ctx);
      if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}
