// The one registry of model families by name — the bi-encoder transformer, the linear baseline, the neural
// rationale tagger and their ensemble (the `offline-default` preset) — and `loadModel` (any family: the
// checkpoint header says which).
import { readCheckpointFamily } from '../engine/checkpoint';
import type { EmpathyModel, ModelFamily, ModelFamilyName } from '../engine/model';
import type { LoadModelOptions } from '../engine/torch/importOptions';
import { biEncoderFamily } from './bi-encoder/biEncoderFamily';
import { ensembleFamily } from './ensemble/ensembleModel';
import { linearFamily } from './linear/linearModel';
import { taggerFamily } from './tagger/taggerModel';

export const families: Partial<Record<ModelFamilyName, ModelFamily<any>>> = {
  'bi-encoder': biEncoderFamily,
  linear: linearFamily,
  tagger: taggerFamily,
  ensemble: ensembleFamily,
};

/**
 * Load any checkpoint written by this engine; the header's `family` picks the loader. A PyTorch `.pth`
 * (`torch.save(state_dict)`) opens as a bi-encoder, converted in memory as `opts.torch` says.
 */
export async function loadModel(path: string, opts: LoadModelOptions = {}): Promise<EmpathyModel> {
  const family = await readCheckpointFamily(path);
  const f = families[family];
  if (!f) throw new Error(`${path}: model family '${family}' is not available in this build (known: ${Object.keys(families).join(', ')})`);
  return f.load(path, opts);
}
