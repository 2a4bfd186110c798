// The train.py-style `=====Args=====` block `empathy train` prints before training: the family's own lines
// (what it really trains with), the data files, do_validation / do_test and the model line. One owner, so
// every command that shows a training's arguments prints them alike.
import type { LoadedLabeled } from '../../dataset/labeledFiles';
import type { Mechanism } from '../engine';
import type { FamilySpec } from '../models';

export interface TrainBannerInput {
  /** The family that trains, and the effective config it trains with (its lines come from these). */
  spec: FamilySpec;
  used: Record<string, unknown>;
  /** The training files as loaded. */
  trainFiles: LoadedLabeled['files'];
  doValidation: boolean;
  doTest: boolean;
  /** The model name asked for (a preset or family) and the family it resolves to. */
  model: string;
  family: string;
  mechanisms: readonly Mechanism[];
  /** The pairs kept by --limit, when it was given. */
  limitedTo?: number;
}

const RULE = '=============================================';

/** The Args block's lines, first rule to last. */
export function trainBannerLines(b: TrainBannerInput): string[] {
  const size = b.spec.size?.(b.used);
  return [
    '=====================Args====================',
    // What the family really trains with (train.py's lr / epochs defaults are the bi-encoder's only).
    ...b.spec.banner(b.used),
    `train_path =  ${b.trainFiles.map((f) => `${f.file} (${f.mechanism}, ${f.format}, ${f.rows} rows)`).join(', ')}`,
    `do_validation =  ${pyBool(b.doValidation)}`,
    `do_test =  ${pyBool(b.doTest)}`,
    `model =  ${b.model}${size !== undefined ? ` (preset ${size})` : ` (${b.family})`}; mechanisms =  ${b.mechanisms.join(', ')}${b.limitedTo !== undefined ? `; first ${b.limitedTo} pairs` : ''}`,
    RULE,
  ];
}

function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}
