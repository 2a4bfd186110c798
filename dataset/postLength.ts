// How much of a post the models read: the part before any big allocation is made from it. A 50 MB post
// (a `score` query, a CSV row) once went whole into the TF-IDF n-grams and the BPE and ended the process
// with V8's "invalid size" error; the models now read a prefix of it, and the offsets they give stay valid.

/**
 * The most characters of a post any model reads. EPITOME's longest response is ~10,000 characters and
 * Reddit caps a post at 40,000: no real post is cut; a longer one is read up to here.
 */
export const MAX_POST_CHARS = 100_000;

/**
 * Characters per word a tokenizer reads of a post it keeps `maxWords` words of: a prefix cut inside one
 * giant "word" (no spaces for megabytes) still holds more sub-word tokens than the model keeps.
 */
export const CHARS_PER_WORD_READ = 64;

/**
 * The prefix of `text` a model reads: up to the end of its `maxWords`-th whitespace-separated word and at
 * most `maxChars` characters (never splitting a surrogate pair). The same string when nothing is cut.
 * Sub-word tokenizers never join two words into one token, so a text cut right after a word keeps every
 * token of the words before it.
 */
export function readablePrefix(text: string, maxWords = Infinity, maxChars = MAX_POST_CHARS): string {
  let end = Math.min(text.length, maxChars);
  if (Number.isFinite(maxWords) && maxWords >= 0) {
    const word = /\S+/g;
    let words = 0;
    for (let m = word.exec(text); m !== null && m.index < end; m = word.exec(text)) {
      if (++words === maxWords) {
        end = Math.min(end, m.index + m[0].length);
        break;
      }
    }
  }
  if (end >= text.length) return text;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate without its pair
  return text.slice(0, end);
}
