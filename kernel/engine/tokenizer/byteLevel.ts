// GPT-2 / RoBERTa byte-level primitives: the pre-tokenisation regex, the byte↔unicode table, and the
// byte → UTF-16 offset bookkeeping that lets every token point back into the original string.

/** GPT-2's pre-tokeniser (also RoBERTa's): contractions, letters, numbers, other runs, whitespace. */
export const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100… (so no token holds a control char). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (printable.includes(b)) table[b] = String.fromCharCode(b);
    else table[b] = String.fromCharCode(256 + n++);
  }
  return table;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** A pre-token: its text, where it starts in the original string, and its bytes as byte-level chars. */
export interface PreToken {
  text: string;
  start: number;
  /** The UTF-8 bytes of `text`, each mapped through BYTE_TO_CHAR. */
  byteChars: string;
  /** For byte k of the pre-token: [start, end) of the code point it belongs to, in original-string units. */
  byteSpan: Array<[number, number]>;
}

const utf8 = new TextEncoder();

export function preTokenize(text: string): PreToken[] {
  const out: PreToken[] = [];
  for (const m of text.matchAll(PRETOKENIZE)) {
    const start = m.index!;
    const piece = m[0];
    let byteChars = '';
    const byteSpan: Array<[number, number]> = [];
    for (let i = 0; i < piece.length; ) {
      const cp = piece.codePointAt(i)!;
      const units = cp > 0xffff ? 2 : 1;
      const bytes = utf8.encode(String.fromCodePoint(cp));
      for (const b of bytes) {
        byteChars += BYTE_TO_CHAR[b];
        byteSpan.push([start + i, start + i + units]);
      }
      i += units;
    }
    out.push({ text: piece, start, byteChars, byteSpan });
  }
  return out;
}

/**
 * Offsets of a token covering bytes [b0, b1) of a pre-token, trimmed of surrounding whitespace unless the
 * token is only whitespace (Hugging Face's `trim_offsets`). A token holding part of a multi-byte
 * character covers the whole character.
 */
export function tokenOffsets(original: string, pre: PreToken, b0: number, b1: number): [number, number] {
  let s = pre.byteSpan[b0][0];
  let e = pre.byteSpan[b1 - 1][1];
  const piece = original.slice(s, e);
  if (/\S/u.test(piece)) {
    while (s < e && /\s/.test(original[s])) s++;
    while (e > s && /\s/.test(original[e - 1])) e--;
  }
  return [s, e];
}

/** Decode byte-level token strings back to text. */
export function decodeByteChars(tokens: readonly string[]): string {
  const bytes: number[] = [];
  for (const t of tokens) for (const c of t) {
    const b = CHAR_TO_BYTE.get(c);
    if (b !== undefined) bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
