// The tokenizer module's public face: the contract, the BPE trainer, the HF loader, and JSON restore.
import { BpeTokenizer } from './bpe';
import { hfTokenizerFromJSON, type HfJSON } from './hf';
import type { Tokenizer } from './types';

export type { Encoding, Tokenizer } from './types';
export { BpeTokenizer, BOS_ID, EOS_ID, PAD_ID, UNK_ID, SPECIAL_TOKENS, type BpeJSON } from './bpe';
export { trainTokenizer, type TrainTokenizerOptions } from './trainBpe';
export { loadHfTokenizer, HfTokenizer, type HfJSON } from './hf';

/** Restore a tokenizer from its `toJSON()` (e.g. the `tokenizer` entry of a checkpoint). */
export async function tokenizerFromJSON(json: unknown): Promise<Tokenizer> {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'bpe') return BpeTokenizer.fromJSON(json);
  if (kind === 'hf') return hfTokenizerFromJSON(json as HfJSON);
  throw new Error(`unknown tokenizer kind ${JSON.stringify(kind)} (expected "bpe" or "hf")`);
}
