// complete_request and inspect_request, answered from the session's own TypeScript checker (completions
// at the cursor, seen as the next cell) and its variables listing. Jupyter counts the cursor in Unicode
// code points; the checker in UTF-16 units: converted both ways here.
import type { KernelClient } from '../process/client';

/** Code-point offset → UTF-16 index into `text`. */
export function toUtf16(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) i += (text.codePointAt(i)! > 0xffff ? 2 : 1);
  return i;
}

/** UTF-16 index → code-point offset. */
export function toCodePoints(text: string, utf16: number): number {
  return [...text.slice(0, utf16)].length;
}

export async function complete(client: KernelClient, code: string, cursorPos: number): Promise<Record<string, unknown>> {
  const at = toUtf16(code, cursorPos);
  const r = await client.complete(code, at);
  // The checker lists every member; Jupyter clients expect the ones that continue what was typed.
  const typed = code.slice(r.from, at).toLowerCase();
  const items = r.items.filter((i) => i.label.toLowerCase().startsWith(typed));
  return {
    status: 'ok',
    matches: items.map((i) => i.label),
    cursor_start: toCodePoints(code, r.from),
    cursor_end: toCodePoints(code, r.to),
    metadata: {
      _jupyter_types_experimental: items.map((i) => ({ text: i.label, type: i.kind, start: toCodePoints(code, r.from), end: toCodePoints(code, r.to), ...(i.detail ? { signature: i.detail } : {}) })),
    },
  };
}

/** The identifier (a dotted path, e.g. `model.fit`) around `at`. */
function identifierAt(code: string, at: number): { name: string; end: number } | undefined {
  const isId = (c: string | undefined) => c !== undefined && /[\w$.]/.test(c);
  let start = at;
  let end = at;
  while (start > 0 && isId(code[start - 1])) start--;
  while (end < code.length && isId(code[end])) end++;
  const name = code.slice(start, end).replace(/^\.+|\.+$/g, '');
  return name ? { name, end } : undefined;
}

/**
 * What the cursor names: a session variable (its runtime type and value, as the variables view lists
 * it), else what the checker says of the last segment (the completion's detail at that position).
 */
export async function inspect(client: KernelClient, code: string, cursorPos: number): Promise<Record<string, unknown>> {
  const id = identifierAt(code, toUtf16(code, cursorPos));
  const none = { status: 'ok', found: false, data: {}, metadata: {} };
  if (!id) return none;
  const variable = (await client.variables()).find((v) => v.name === id.name);
  if (variable) {
    const text = `${variable.kind} ${variable.name}: ${variable.type}\n${variable.value}`;
    return { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} };
  }
  const last = id.name.split('.').pop()!;
  const r = await client.complete(code, id.end);
  const item = r.items.find((i) => i.label === last);
  if (!item) return none;
  return { status: 'ok', found: true, data: { 'text/plain': `${item.kind} ${id.name}${item.detail ? `: ${item.detail}` : ''}` }, metadata: {} };
}
