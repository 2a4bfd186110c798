// The built-in model families beside the transformer (registered in kernel/engine/families.ts):
// the linear baseline, the neural rationale tagger and their ensemble (the `offline-default` preset).
import type { ModelFamily, ModelFamilyName } from '../engine/model';
import { ensembleFamily } from './ensemble/ensembleModel';
import { linearFamily } from './linear/linearModel';
import { taggerFamily } from './tagger/taggerModel';

export const modelFamilies: Partial<Record<ModelFamilyName, ModelFamily<any>>> = {
  linear: linearFamily,
  tagger: taggerFamily,
  ensemble: ensembleFamily,
};
