// The bi-encoder's training config: the original train.py's flags and defaults plus documented extras.
// Its own file so the model (biEncoderModel.ts) and the loop (train.ts) share it without importing each other.
import type { BackendPreference } from '../../engine';
import type { BiEncoderOverrides } from './config';
import type { Mechanism } from '../../../dataset/schema';

/** train.py's arguments (same names and defaults) plus the extras this engine needs. */
export interface TrainConfig {
  // ---- the original train.py flags ----
  /** Peak learning rate. */
  lr: number; // 2e-5
  /** Weight of the level (empathy identification) loss. README commands use 1.0. */
  lambda_EI: number; // 0.5
  /** Weight of the rationale extraction loss. */
  lambda_RE: number; // 0.5
  /** Model dropout (cross-attention, residual, heads). */
  dropout: number; // 0.1
  /** Tokens per side including <s> and </s>. */
  max_len: number; // 64
  /** Pairs per optimiser step (split into micro-batches of batch_size/grad_accum). */
  batch_size: number; // 32
  epochs: number; // 4
  /** Seeds init, shuffling and dropout. */
  seed_val: number; // 12
  /** Evaluate on dev after each epoch (when dev data is given). */
  do_validation: boolean; // true
  /** Evaluate on test at the end (when test data is given). */
  do_test: boolean; // true
  /** Where to write the checkpoint (any path/extension, folders created); saved per epoch, at the end and on abort. */
  save_model_path?: string;
  // ---- extras ----
  /** Linear warm-up steps before the linear decay. */
  warmup_steps: number; // 0
  /** Micro-batches per optimiser step (wasm memory caps batches): batch_size is split into grad_accum parts. */
  grad_accum: number; // 1
  /** Global gradient-norm clip. */
  max_grad_norm: number; // 1.0
  /** AdamW decoupled weight decay (train.py: 0). */
  weight_decay: number; // 0
  /** Model size preset: 'small' (CPU default), 'tiny' (tests), 'roberta-base' (the paper's). */
  preset: string; // 'small'
  /** Overrides spread over the preset (e.g. { seekerMask: true, encoder: { layers: 2 } }). */
  model?: BiEncoderOverrides;
  /** Backend choice (default: keep the current one, else 'auto'). */
  backend?: BackendPreference;
  /** Early-stopping patience in epochs on dev mean macro-F1 (0 = off). The model keeps its last weights. */
  early_stopping: number; // 0
  /** Train on the original labels: a row without rationale gets every response token labelled 1 (quirk 1). Dev/test metrics and dev loss always use the corrected labels (the paper-faithful numbers are reported beside them). */
  paper_faithful: boolean; // false
  /** Level-CE class weights: 'balanced' (N / (3·n_class) from the training levels) or explicit per mechanism. Default off (the paper). */
  class_weights?: 'balanced' | Partial<Record<Mechanism, [number, number, number]>>;
  /** A Hugging Face roberta folder/file (model.safetensors) whose encoder weights initialise both encoders. */
  init_weights?: string;
  /** A folder with an HF tokenizer.json; default: init_weights' folder when it has one, else a BPE trained on the training texts. */
  tokenizer?: string;
  /** Vocabulary size of the trained BPE (default: the preset's vocabSize). */
  vocab_size?: number;
  /** Mechanisms to train (default: every one labelled in the training data; several = the joint model). */
  mechanisms?: Mechanism[];
  /** Resume from a checkpoint written by this engine (weights, optimiser, step and shuffle position). */
  resume?: string;
  /** Pairs per forward pass when evaluating. */
  eval_batch_size: number; // 64
}

export const defaultTrainConfig: TrainConfig = {
  lr: 2e-5,
  lambda_EI: 0.5,
  lambda_RE: 0.5,
  dropout: 0.1,
  max_len: 64,
  batch_size: 32,
  epochs: 4,
  seed_val: 12,
  do_validation: true,
  do_test: true,
  warmup_steps: 0,
  grad_accum: 1,
  max_grad_norm: 1.0,
  weight_decay: 0,
  preset: 'small',
  early_stopping: 0,
  paper_faithful: false,
  eval_batch_size: 64,
};
