// A tiny Hugging Face RoBERTa model as the hub would serve it (config.json, tokenizer.json,
// tokenizer_config.json, model.safetensors), made here from the `tiny` preset's encoder and a BPE trained
// on the toy corpus: what the download tests fetch and `--init_weights` then loads.
import { PRESETS } from '../../kernel/models/bi-encoder/config';
import { robertaParamSpecs } from '../../kernel/models/bi-encoder/roberta';
import { writeSafetensors, type TensorEntry } from '../../kernel/engine/safetensors';
import { trainTokenizer } from '../../kernel/engine';
import type { HubFileSpec } from '../support/fakeHub';
import { toyPairs } from './toyData';

export interface TinyRoberta {
  files: Map<string, HubFileSpec>;
  /** The encoder tensors in model.safetensors (`roberta.*` names). */
  tensors: Map<string, TensorEntry>;
}

export function tinyRoberta(): TinyRoberta {
  const tok = trainTokenizer(toyPairs(16).flatMap((p) => [p.seekerPost, p.responsePost]), { vocabSize: 300 });
  const { tokenizerJson, tokenizerConfig } = tok.toHuggingFace();
  const enc = { ...PRESETS.tiny.encoder, vocabSize: tok.vocabSize };
  const tensors = new Map<string, TensorEntry>();
  let k = 0;
  for (const s of robertaParamSpecs(enc)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    tensors.set(`roberta.${s.name}`, { dtype: 'F32', shape: s.shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(++k + i) * 0.05) });
  }
  const config = {
    architectures: ['RobertaForMaskedLM'], model_type: 'roberta', vocab_size: enc.vocabSize, hidden_size: enc.hidden,
    num_hidden_layers: enc.layers, num_attention_heads: enc.heads, intermediate_size: enc.intermediate,
    max_position_embeddings: enc.maxPositions, type_vocab_size: enc.typeVocabSize, layer_norm_eps: enc.layerNormEps, pad_token_id: enc.padId,
  };
  const text = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const files = new Map<string, HubFileSpec>([
    ['config.json', { content: text(config) }],
    ['tokenizer.json', { content: text(tokenizerJson) }],
    ['tokenizer_config.json', { content: text(tokenizerConfig) }],
    ['model.safetensors', { content: writeSafetensors(tensors), lfs: true }],
  ]);
  return { files, tensors };
}
