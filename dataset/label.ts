// Gold labels of one mechanism (MechanismLabel): the one place rationale strings are located in their
// response. Loaders call it once per row; every consumer reads `label.spans` / `label.missed`.
import type { Level, MechanismLabel } from './schema';
import { mergeSpans } from './align';

/**
 * A MechanismLabel with its rationales located in `response`: exact (literal, no regex) first — the
 * k-th repeat of the same rationale takes the k-th occurrence — then ignoring whitespace differences
 * (the three public files differ in spacing around quotes). Build labels by hand (tests, notebooks)
 * with this too, so `spans` always agrees with `rationales`.
 */
export function labelOf(response: string, level: Level, rationales: readonly string[]): MechanismLabel {
  const { spans, missed } = locateRationales(response, rationales);
  return { level, rationales: [...rationales], spans, missed };
}

/**
 * A label from spans a file already carries (process-data's `rationale_spans`): sorted and merged,
 * rationales re-sliced from the response, nothing missed. Spans must lie inside the response.
 */
export function labelFromSpans(response: string, level: Level, spans: ReadonlyArray<[number, number]>): MechanismLabel {
  const merged = mergeSpans(spans);
  return { level, rationales: merged.map(([s, e]) => response.slice(s, e)), spans: merged, missed: [] };
}

/**
 * `label`, located in `locatedIn`, for another text of the same response (the joint merge keeps the
 * first file's text; the public files differ in spacing at times): the same spans when the texts are
 * equal, else its rationales located again in `response`.
 */
export function labelFor(response: string, label: MechanismLabel, locatedIn: string): MechanismLabel {
  const { level, rationales, spans, missed } = label;
  return locatedIn === response ? { level, rationales, spans, missed } : labelOf(response, level, rationales);
}

/**
 * Find each rationale in `response`; spans are [start, end) character offsets, sorted, merged.
 * Module-private on purpose: spans are located once, by labelOf, and carried on the label.
 */
function locateRationales(response: string, rationales: readonly string[]): { spans: Array<[number, number]>; missed: string[] } {
  const spans: Array<[number, number]> = [];
  const missed: string[] = [];
  const nextFrom = new Map<string, number>();
  let squeezed: { text: string; map: number[] } | undefined;
  for (const raw of rationales) {
    const r = raw.trim();
    if (r === '') continue;
    const from = nextFrom.get(r) ?? 0;
    let at = response.indexOf(r, from);
    if (at < 0 && from > 0) at = response.indexOf(r);
    if (at >= 0) {
      spans.push([at, at + r.length]);
      nextFrom.set(r, at + r.length);
      continue;
    }
    // Whitespace-insensitive fallback: compare with all whitespace removed, map back to offsets.
    squeezed ??= squeeze(response);
    const rs = r.replace(/\s+/g, '');
    const j = rs === '' ? -1 : squeezed.text.indexOf(rs);
    if (j >= 0) {
      spans.push([squeezed.map[j], squeezed.map[j + rs.length - 1] + 1]);
      continue;
    }
    missed.push(raw);
  }
  return { spans: mergeSpans(spans), missed };
}

function squeeze(s: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (/\s/.test(s[i])) continue;
    text += s[i];
    map.push(i);
  }
  return { text, map };
}
