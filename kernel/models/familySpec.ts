// What a model family owns besides its code, in one object the registry (families.ts) lists: its name,
// its named presets and sizes, how it reads the fields a caller set (resolveConfig), the config it really
// trains with, its lines in `empathy train`'s Args banner, whether it infers through an ONNX export, its
// entries in Train Model… and `empathy.defaultPreset`, and (loaded on first use) its train and load.
import type { ModelFamily } from '../engine';

/** A named configuration of a family (`--model offline-default`). */
export interface PresetSpec {
  name: string;
  /** Config overrides for the family's train(). */
  config: Record<string, unknown>;
  summary: string;
}

/** An entry of Train Model…'s quick pick and of the `empathy.defaultPreset` setting. */
export interface ModelChoice {
  /** A model name (`--model`) or, for a family with sizes, a size (`--preset`). */
  id: string;
  /** The quick pick's label. */
  label: string;
  /** The quick pick's detail line. */
  detail: string;
  /** The setting's enum description. */
  setting: string;
}

/** A field the caller set that the family does not take: `unused` (a train.py field it has no use for) or `unknown`. */
export interface ConfigNote {
  key: string;
  why: 'unused' | 'unknown';
}

export interface FamilySpec {
  readonly name: string;
  /** How notes name it: "the linear model". */
  readonly words: string;
  readonly summary: string;
  /** Named presets of this family (besides the bare family name, which means its defaults). */
  readonly presets: readonly PresetSpec[];
  /** Size presets (`--model NAME --preset SIZE`), the first-listed default excepted: the bi-encoder's tiny/small/roberta-base. */
  readonly sizes?: readonly string[];
  /** Its entries in Train Model… and `empathy.defaultPreset`, in the order shown. */
  readonly choices: readonly ModelChoice[];
  /** Loaded checkpoints infer through onnxruntime (an ONNX export of the family's own, in its folder). */
  readonly onnx: boolean;
  /**
   * The config train() is called with, from the preset's config (`base`) and the fields the caller set
   * (`given`: no general fields such as mechanisms; nothing filled in), and a note for each field it does not take.
   */
  resolveConfig(given: Record<string, unknown>, base: Record<string, unknown>): { config: Record<string, unknown>; notes: ConfigNote[] };
  /** The config the family really trains with, after its own defaults (what a run records). */
  effective(config: Record<string, unknown>): Record<string, unknown>;
  /** Its lines of `empathy train`'s Args block, from the effective config. */
  banner(used: Record<string, unknown>): string[];
  /** The size a run trains at, where the family has sizes (shown beside the model name). */
  size?(used: Record<string, unknown>): string | undefined;
  /** Its train and load (the model code loads only here, on first use). */
  load(): ModelFamily<any>;
}
