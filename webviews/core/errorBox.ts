// The visible error box: a bad payload or a failed render must never leave a blank output.
import { clear, h } from './dom';

/** Thrown by validators: `path` points at the offending field (e.g. `runs[2].steps[0].loss`). */
export class PayloadError extends Error {
  constructor(readonly mime: string, readonly path: string, readonly problem: string) {
    super(`${path ? path + ': ' : ''}${problem}`);
    this.name = 'PayloadError';
  }
}

/** Replace el's content with a clear, themed error box. */
export function renderError(el: HTMLElement, title: string, err: unknown): void {
  clear(el);
  const detail = err instanceof Error ? err.message : String(err);
  const box = h('div', { class: 'ew-error', role: 'alert' },
    h('div', { class: 'ew-error-title' }, '⚠ ', title),
    h('div', { class: 'ew-error-detail' }, detail));
  if (err instanceof PayloadError) {
    box.appendChild(h('div', { class: 'ew-error-hint' },
      `MIME type ${err.mime}. The producer and this renderer disagree about the payload; re-run the cell with a matching workbench version.`));
  }
  el.appendChild(box);
}
