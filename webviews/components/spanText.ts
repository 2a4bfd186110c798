// A response with its gold rationale spans highlighted, one colour per mechanism (overlaps: purple).
import type { Mechanism } from '../../kernel/protocol/mime';
import { h } from '../core/dom';

export function spanText(text: string, spans: Partial<Record<Mechanism, Array<[number, number]>>>, only?: Mechanism): HTMLElement {
  const el = h('span', { class: 'ew-spantext' });
  const entries = (Object.entries(spans) as Array<[Mechanism, Array<[number, number]>]>).filter(([m, s]) => s && s.length && (!only || m === only));
  if (entries.length === 0) { el.textContent = text; return el; }
  const cuts = new Set<number>([0, text.length]);
  for (const [, ss] of entries) for (const [a, b] of ss) { cuts.add(Math.min(a, text.length)); cuts.add(Math.min(b, text.length)); }
  const bounds = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i], b = bounds[i + 1];
    const seg = text.slice(a, b);
    if (!seg) continue;
    const mechs = entries.filter(([, ss]) => ss.some(([s, e]) => a >= s && b <= e)).map(([m]) => m);
    if (mechs.length === 0) el.appendChild(document.createTextNode(seg));
    else el.appendChild(h('mark', { class: `ew-span ${mechs.length > 1 ? 'ew-span-multi' : `ew-span-${mechs[0]}`}`, title: `${mechs.join(' + ')} rationale`, style: 'color:inherit;border-radius:2px' }, seg));
  }
  return el;
}
