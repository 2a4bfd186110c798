// The `--tokenizer` option of the data commands: a Hugging Face tokenizer folder/tokenizer.json (or a model id
// in the Hugging Face cache), or a checkpoint (its own tokenizer); without it, the word tokenizer (an
// approximation, always named).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { wordTokenizer, type OffsetTokenizer } from '../../dataset/wordTokenizer';
import { DataError } from '../../dataset/csv';
import { engine } from './engine';
import { isModelId, resolvePretrained } from '../engine';

export interface ResolvedTokenizer {
  tokenizer: OffsetTokenizer;
  /** How to name it in output: `words (approximation …)`, `hf (path)`, `checkpoint (path)`. */
  description: string;
}

export async function resolveTokenizer(flag: string | undefined): Promise<ResolvedTokenizer> {
  if (!flag) return { tokenizer: wordTokenizer, description: 'words (a regex word/punctuation split approximating model tokens; pass --tokenizer DIR|CHECKPOINT for exact ones)' };
  if (!fs.existsSync(flag) && !isModelId(flag.split('@')[0])) throw new DataError(flag, undefined, 'no such tokenizer folder, tokenizer.json or checkpoint (--tokenizer)');
  const where = resolvePretrained(flag, 'tokenizer'); // a model id: its folder in the Hugging Face cache
  const eng = engine();
  const isDir = fs.statSync(where).isDirectory();
  if (isDir || path.basename(where) === 'tokenizer.json') {
    const tok = await eng.loadHfTokenizer(isDir ? where : path.dirname(where));
    return { tokenizer: tok, description: `hf tokenizer.json (${flag}${where !== flag ? `: ${where}` : ''})` };
  }
  const ck = await eng.loadCheckpoint(flag);
  if (!ck.tokenizer) throw new DataError(flag, undefined, `checkpoint of family '${ck.family}' has no tokenizer`);
  return { tokenizer: await eng.tokenizerFromJSON(ck.tokenizer), description: `the tokenizer of checkpoint ${flag}` };
}
