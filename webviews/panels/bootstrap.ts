// Start-up shared by the panel entries: the root element, the first payload the host may have embedded
// in the page (<script type="application/json" id="empathy-initial-state">), theme and styles.
import { ensureStyles } from '../core/styles';
import { installFallbackTheme } from '../core/theme';

export function panelRoot(): HTMLElement {
  installFallbackTheme(document, { styleBody: true });
  ensureStyles();
  return document.getElementById('app') ?? document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
}

/** The host's embedded first payload, or undefined (absent, empty, null or not JSON). */
export function initialState(): unknown {
  const el = document.getElementById('empathy-initial-state');
  if (!el?.textContent) return undefined;
  try {
    const v: unknown = JSON.parse(el.textContent);
    return v ?? undefined;
  } catch (e) {
    console.warn('[empathy] ignoring an unreadable initial state', e);
    return undefined;
  }
}

export function onReady(start: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
