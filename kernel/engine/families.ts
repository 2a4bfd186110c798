// The registry of model families by name, and `loadModel` (any family: the checkpoint header says which).
// H7 registers linear / tagger / ensemble here.
import { biEncoderFamily } from '../models/bi-encoder/biEncoderFamily';
import { readCheckpointFamily } from './checkpoint';
import { modelFamilies } from '../models/families';
import type { EmpathyModel, ModelFamily, ModelFamilyName } from './model';

export const families: Partial<Record<ModelFamilyName, ModelFamily<any>>> = {
  'bi-encoder': biEncoderFamily,
  ...modelFamilies, // linear, tagger, ensemble (H7)
};

/** Load any checkpoint written by this engine; the header's `family` picks the loader. */
export async function loadModel(path: string): Promise<EmpathyModel> {
  const family = await readCheckpointFamily(path);
  const f = families[family];
  if (!f) throw new Error(`${path}: model family '${family}' is not available in this build (known: ${Object.keys(families).join(', ')})`);
  return f.load(path);
}
