// Form controls built on @vscode-elements/elements (themed by --vscode-* variables), with plain
// callbacks so renderers never touch the components' internals.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { h } from './dom';

type Valued = HTMLElement & { value: string };
type Checkable = HTMLElement & { checked: boolean };

/** A labelled single-select; options are [value, label]. */
export function select(label: string, options: Array<[string, string]>, value: string, onChange: (v: string) => void, name?: string): HTMLElement {
  // `label` is what the component puts on its inner combobox (aria-label on the host does not reach it).
  const sel = h('vscode-single-select', { 'data-control': name ?? label, label, 'aria-label': label }) as Valued;
  for (const [v, text] of options) {
    sel.appendChild(h('vscode-option', { value: v, selected: v === value }, text));
  }
  sel.addEventListener('change', () => onChange(sel.value));
  return h('label', null, h('span', { class: 'ew-muted' }, label), sel);
}

/** A search/text field reporting every keystroke (callers debounce when the work is heavy). */
export function textField(placeholder: string, value: string, onInput: (v: string) => void, name?: string): HTMLElement {
  const tf = h('vscode-textfield', { placeholder, 'data-control': name ?? placeholder, label: placeholder, 'aria-label': placeholder }) as Valued;
  tf.value = value;
  tf.addEventListener('input', () => onInput(tf.value));
  return tf;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, name?: string): HTMLElement {
  const cb = h('vscode-checkbox', { label, checked, 'data-control': name ?? label }) as Checkable;
  cb.addEventListener('change', () => onChange(cb.checked));
  return cb;
}

export function button(text: string, onClick: () => void, opts: { secondary?: boolean; name?: string } = {}): HTMLElement {
  const b = h('vscode-button', { secondary: !!opts.secondary, 'data-control': opts.name ?? text }, text);
  b.addEventListener('click', onClick);
  return b;
}

/** A native range slider (vscode-elements has none), styled by the toolbar CSS. */
export function slider(label: string, min: number, max: number, step: number, value: number, onInput: (v: number) => void, name?: string): HTMLElement {
  const out = h('span', { class: 'ew-muted' }, String(value));
  const input = h('input', { type: 'range', min, max, step, value, 'data-control': name ?? label, 'aria-label': label });
  input.addEventListener('input', () => { out.textContent = input.value; onInput(Number(input.value)); });
  return h('label', null, h('span', { class: 'ew-muted' }, label), input, out);
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => { if (t) clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
