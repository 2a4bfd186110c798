// What a PyTorch state dict does not say and an import must be told (or guesses, saying how): the
// attention heads, the mechanism, the tokenizer, the token budget. Shared by `import-torch` and every
// command that opens a `.pth` directly.
import type { Mechanism } from '../types';

export interface TorchImportOptions {
  /** Self-attention heads per layer (not stored in a state dict; default 12, roberta-base's). */
  heads?: number;
  /** The mechanism a single-mechanism model scores (default: from the file name, e.g. `reddit_ER.pth`). */
  mechanism?: Mechanism;
  /** A Hugging Face tokenizer folder (or its tokenizer.json): the tokenizer the model was trained with. */
  tokenizer?: string;
  /** A workbench checkpoint whose tokenizer to take instead. */
  tokenizerFrom?: string;
  /** Tokens per side including the specials (train.py --max_len; default 64). */
  maxLen?: number;
}

/** Options of `loadModel` beyond the path: how to read a PyTorch `.pth` when the path names one. */
export interface LoadModelOptions {
  torch?: TorchImportOptions;
}
