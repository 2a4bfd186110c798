// The model vocabulary Train Model… offers and `empathy.defaultPreset` lists, as pure data: GENERATED from the
// family registry (kernel/models/families.ts) by `npm run gen:model-choices`; do not edit. A test keeps it,
// and package.json, equal to the registry.

export interface ModelChoice { id: string; label: string; detail: string; setting: string }

export const MODEL_CHOICES: readonly ModelChoice[] = [
  {
    "id": "offline-default",
    "label": "offline-default",
    "detail": "The offline default (linear + BiGRU tagger ensemble; the shipped model): the best model without pretrained weights",
    "setting": "The offline default (ensemble of the linear and tagger families, the model that ships with the workbench): the best model without pretrained weights; minutes on the public data, seconds on the samples."
  },
  {
    "id": "offline-default-soft",
    "label": "offline-default-soft",
    "detail": "The offline default with soft rationales (token probability × P(level > 0), no hard gate)",
    "setting": "The offline default with soft rationales (token probability × P(level > 0), no hard gate)."
  },
  {
    "id": "linear",
    "label": "linear",
    "detail": "TF-IDF class-balanced logistic regression: trains in seconds",
    "setting": "TF-IDF class-balanced logistic regression: trains in seconds."
  },
  {
    "id": "tagger",
    "label": "tagger",
    "detail": "The BiGRU rationale tagger alone",
    "setting": "The BiGRU rationale tagger alone."
  },
  {
    "id": "tiny",
    "label": "bi-encoder · tiny",
    "detail": "A few-layer encoder: seconds per epoch on the samples — for trying things out",
    "setting": "Bi-encoder, a few-layer encoder: seconds per epoch on the samples; for trying things out."
  },
  {
    "id": "small",
    "label": "bi-encoder · small",
    "detail": "A small encoder trained from scratch: minutes on a laptop CPU",
    "setting": "Bi-encoder, a small encoder trained from scratch: minutes on a laptop CPU."
  },
  {
    "id": "roberta-base",
    "label": "bi-encoder · roberta-base",
    "detail": "The paper's RoBERTa-base encoders: needs pretrained weights and a GPU to be practical",
    "setting": "Bi-encoder, the paper’s RoBERTa-base (125M parameters per encoder): needs the pretrained weights and a GPU to be practical."
  }
];

/** The bi-encoder's size presets (`--model bi-encoder --preset NAME`). */
export const BI_ENCODER_SIZES: readonly string[] = [
  "tiny",
  "small",
  "roberta-base"
];

/** The presets and families trainRun trains (every `--model` name but the bi-encoder's). */
export const FAMILY_MODELS: readonly string[] = [
  "offline-default",
  "offline-default-soft",
  "linear",
  "tagger",
  "ensemble"
];
