// Model sizes and switches of the bi-encoder (EncoderConfig, BiEncoderConfig) and the named presets.
// Defaults are the paper's (Sharma et al., EMNLP 2020, roberta-base); options beyond it default to off.
import type { Mechanism } from '../../engine';

/** A RoBERTa encoder (HF RobertaConfig field meanings). */
export interface EncoderConfig {
  /** Token vocabulary size (roberta-base: 50265). */
  vocabSize: number;
  /** Hidden size d_model (roberta-base: 768). */
  hidden: number;
  /** Number of transformer layers (roberta-base: 12). */
  layers: number;
  /** Self-attention heads per layer; must divide `hidden` (roberta-base: 12). */
  heads: number;
  /** Feed-forward inner size (roberta-base: 3072). */
  intermediate: number;
  /** Rows of the position table; RoBERTa positions start at padId+1, so max tokens = maxPositions - padId - 1 (roberta-base: 514). */
  maxPositions: number;
  /** Token-type rows (roberta-base: 1; only row 0 is ever used). */
  typeVocabSize: number;
  /** LayerNorm epsilon (RoBERTa: 1e-5). */
  layerNormEps: number;
  /** Dropout on embeddings and residual branches when training (0.1). */
  hiddenDropout: number;
  /** Dropout on self-attention probabilities when training (0.1). */
  attentionDropout: number;
  /** Padding token id; also the position-id offset (RoBERTa: 1). */
  padId: number;
  /** Std of the N(0, std) init of every Linear/Embedding weight (original `_init_weights`: 0.02). */
  initStd: number;
}

/** The EPITOME `BiEncoderAttentionWithRationaleClassification`, single or joint. */
export interface BiEncoderConfig {
  /** Shape of both encoders (seeker and responder share the config, not the weights). */
  encoder: EncoderConfig;
  /**
   * Mechanisms scored. One mechanism = the original model (heads named `empathy_classifier.*`,
   * `rationale_classifier.*`); several = the joint model (`empathy_classifier.ER.*`, ...).
   */
  mechanisms: Mechanism[];
  /** Model-level dropout: cross-attention, residual after it, the level and rationale heads (0.1). */
  dropout: number;
  /** Heads of the seeker→responder cross-attention (the original: 1). */
  crossAttentionHeads: 1;
  /** Mask seeker padding in the cross-attention (false = the paper: padded seeker tokens are attended). */
  seekerMask: boolean;
  /** Freeze the seeker encoder (true = the paper). */
  freezeSeeker: boolean;
  /** Per-mechanism level-CE class weights for levels 0/1/2 (undefined = the paper: unweighted). */
  classWeights?: Partial<Record<Mechanism, [number, number, number]>>;
}

export type PresetName = 'roberta-base' | 'small' | 'tiny';

const paperHeads = { dropout: 0.1, crossAttentionHeads: 1 as const, seekerMask: false, freezeSeeker: true };

export const PRESETS: Record<PresetName, BiEncoderConfig> = {
  /** The paper's: two roberta-base encoders (125M parameters each). */
  'roberta-base': {
    encoder: {
      vocabSize: 50265, hidden: 768, layers: 12, heads: 12, intermediate: 3072, maxPositions: 514,
      typeVocabSize: 1, layerNormEps: 1e-5, hiddenDropout: 0.1, attentionDropout: 0.1, padId: 1, initStd: 0.02,
    },
    mechanisms: ['ER'],
    ...paperHeads,
  },
  /** A CPU default trained from scratch with the project's own tokenizer (h256 L4 H4 FFN1024, vocab 8000). */
  small: {
    encoder: {
      vocabSize: 8000, hidden: 256, layers: 4, heads: 4, intermediate: 1024, maxPositions: 130,
      typeVocabSize: 1, layerNormEps: 1e-5, hiddenDropout: 0.1, attentionDropout: 0.1, padId: 1, initStd: 0.02,
    },
    mechanisms: ['ER'],
    ...paperHeads,
  },
  /** The golden fixtures' size (test/fixtures/bi-encoder-tiny, copied from ../shared/fixtures), dropouts off, for tests. */
  tiny: {
    encoder: {
      vocabSize: 120, hidden: 32, layers: 2, heads: 2, intermediate: 64, maxPositions: 70,
      typeVocabSize: 1, layerNormEps: 1e-5, hiddenDropout: 0, attentionDropout: 0, padId: 1, initStd: 0.02,
    },
    mechanisms: ['ER'],
    ...paperHeads,
    dropout: 0,
  },
};

export type BiEncoderOverrides = Partial<Omit<BiEncoderConfig, 'encoder'>> & { encoder?: Partial<EncoderConfig> };

/** A preset with overrides spread over it (encoder fields merged one level deep), validated. */
export function resolvePreset(name: string, overrides: BiEncoderOverrides = {}): BiEncoderConfig {
  if (!(name in PRESETS)) throw new Error(`unknown model preset '${name}' (known: ${Object.keys(PRESETS).join(', ')})`);
  const base = PRESETS[name as PresetName];
  const cfg: BiEncoderConfig = {
    ...base,
    ...overrides,
    encoder: { ...base.encoder, ...(overrides.encoder ?? {}) },
    mechanisms: [...(overrides.mechanisms ?? base.mechanisms)],
  };
  validateConfig(cfg);
  return cfg;
}

/** Throw a clear error for impossible sizes. */
export function validateConfig(cfg: BiEncoderConfig): void {
  const e = cfg.encoder;
  for (const k of ['vocabSize', 'hidden', 'layers', 'heads', 'intermediate', 'maxPositions', 'typeVocabSize'] as const) {
    if (!Number.isInteger(e[k]) || e[k] <= 0) throw new Error(`encoder.${k} must be a positive integer, got ${e[k]}`);
  }
  if (e.hidden % e.heads !== 0) throw new Error(`encoder.hidden (${e.hidden}) must be divisible by encoder.heads (${e.heads})`);
  if (e.padId < 0 || e.padId >= e.vocabSize) throw new Error(`encoder.padId ${e.padId} outside vocab of ${e.vocabSize}`);
  for (const k of ['hiddenDropout', 'attentionDropout'] as const) {
    if (!(e[k] >= 0 && e[k] < 1)) throw new Error(`encoder.${k} must be in [0, 1), got ${e[k]}`);
  }
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${cfg.dropout}`);
  if (cfg.crossAttentionHeads !== 1) throw new Error(`crossAttentionHeads must be 1 (the original model), got ${cfg.crossAttentionHeads}`);
  if (cfg.mechanisms.length === 0) throw new Error('mechanisms must name at least one of ER, IP, EX');
  const seen = new Set<string>();
  for (const m of cfg.mechanisms) {
    if (m !== 'ER' && m !== 'IP' && m !== 'EX') throw new Error(`unknown mechanism '${m}' (ER, IP, EX)`);
    if (seen.has(m)) throw new Error(`mechanism ${m} listed twice`);
    seen.add(m);
  }
}

/** Longest token sequence an encoder accepts (positions run padId+1 .. padId+len). */
export function maxSeqLen(e: EncoderConfig): number {
  return e.maxPositions - e.padId - 1;
}
