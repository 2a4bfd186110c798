// Colour contrast (WCAG 2.1): resolve any CSS colour (var(), hex with alpha, rgb) to RGB in the page,
// blend a tint over a surface, and pick a text colour that keeps >= 4.5:1 on the result.
import { onThemeChange } from './themeChange';

export type Rgb = [number, number, number];
type Rgba = [number, number, number, number];

/** The computed RGBA of a CSS colour as the document resolves it (a hidden probe, so var() works). */
export function resolveColor(css: string, doc: Document = document): Rgba {
  const probe = doc.createElement('span');
  probe.style.cssText = 'position:absolute;width:0;height:0;overflow:hidden;visibility:hidden';
  probe.style.color = css;
  (doc.body ?? doc.documentElement).appendChild(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?/.exec(c);
  if (!m) return [0, 0, 0, 0];
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  return [+m[1], +m[2], +m[3], a];
}

/** `top` at `alpha` (times its own alpha) over an opaque `under`. */
export function blend(top: Rgba | Rgb, under: Rgb, alpha = 1): Rgb {
  const a = alpha * (top[3] ?? 1);
  return [0, 1, 2].map((i) => Math.round(top[i] * a + under[i] * (1 - a))) as Rgb;
}

export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const rgb = (c: Rgb) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

/** The theme foreground where it reads on `bg` at 4.5:1, else black or white (one of them always does). */
export function inkOn(bg: Rgb, fg: Rgb): Rgb | undefined {
  if (contrast(fg, bg) >= 4.5) return undefined;
  return contrast([0, 0, 0], bg) >= contrast([255, 255, 255], bg) ? [0, 0, 0] : [255, 255, 255];
}

/** What a tint is painted over: the widget background (cards) over the editor background. */
export function surface(doc: Document = document): { bg: Rgb; fg: Rgb } {
  const editor = blend(resolveColor('var(--vscode-editor-background, #ffffff)', doc), [255, 255, 255]);
  const widget = resolveColor('var(--vscode-editorWidget-background, transparent)', doc);
  return { bg: blend(widget, editor), fg: blend(resolveColor('var(--vscode-foreground, #3b3b3b)', doc), editor) };
}

export interface Tinter { paint(el: HTMLElement, share: number): void }

/**
 * Paints elements with the CSS colour `color` at a share (0..1) over the surface: an opaque background and,
 * where the theme foreground would fall under 4.5:1, black or white text. Painted elements remember colour
 * and share (data-tint), so a theme switch repaints them (watchTints).
 */
export function tinter(color: string, doc: Document = document): Tinter {
  const base = resolveColor(color, doc);
  const under = surface(doc);
  return {
    paint(el, share) {
      el.dataset.tint = color;
      el.dataset.tintShare = String(share);
      if (!(share > 0)) { el.style.background = ''; el.style.color = ''; return; }
      const bg = blend(base, under.bg, share);
      const ink = inkOn(bg, under.fg);
      el.style.background = rgb(bg);
      el.style.color = ink ? rgb(ink) : '';
    },
  };
}

/** Repaint every tinted element from the current theme. */
export function retint(doc: Document = document): void {
  const byColor = new Map<string, Tinter>();
  doc.querySelectorAll<HTMLElement>('[data-tint]').forEach((el) => {
    const color = el.dataset.tint!;
    let t = byColor.get(color);
    if (!t) byColor.set(color, (t = tinter(color, doc)));
    t.paint(el, Number(el.dataset.tintShare));
  });
}

let watching = false;
/** Once per document: repaint tints on a theme change. */
export function watchTints(doc: Document = document): void {
  if (watching) return;
  watching = true;
  onThemeChange(retint, doc);
}
