// The one registry of model families — the offline default ensemble (a linear baseline and a neural
// rationale tagger), its two members, the bi-encoder transformer — each with what it owns (familySpec.ts):
// every list of names (`--model`, presets, sizes, Train Model…, `empathy.defaultPreset`) derives from it, and
// `loadModel` (any family: the checkpoint header says which). A new family is one spec here.
import { readCheckpointFamily, type EmpathyModel, type ModelFamily, type LoadModelOptions } from '../engine';
import { biEncoderSpec } from './bi-encoder/spec';
import { ensembleSpec } from './ensemble/spec';
import type { FamilySpec } from './familySpec';
import { linearSpec } from './linear/spec';
import { taggerSpec } from './tagger/spec';

/** The built-in families, in the order users see them (the offline default first). */
const BUILT_IN = [ensembleSpec, linearSpec, taggerSpec, biEncoderSpec] as const;

/** The name of a built-in family ('ensemble' | 'linear' | 'tagger' | 'bi-encoder'); a registered one may add more. */
export type BuiltInFamilyName = (typeof BUILT_IN)[number]['name'];

const registry: FamilySpec[] = [...BUILT_IN];

/** Every family registered, in order. */
export function familySpecs(): readonly FamilySpec[] {
  return registry;
}

/** The family of this name, if registered. */
export function familySpec(name: string): FamilySpec | undefined {
  return registry.find((f) => f.name === name);
}

/** The spec of a family that must exist (a name taken from the registry or a checkpoint): throws naming the known ones. */
export function requireFamily(name: string, where = ''): FamilySpec {
  const f = familySpec(name);
  if (!f) throw new Error(`${where}model family '${name}' is not available in this build (known: ${familyNames().join(', ')})`);
  return f;
}

export function familyNames(): string[] {
  return registry.map((f) => f.name);
}

/**
 * Add a family (a plugin, a test's fake): from here on it is a `--model` name, a preset, a Train Model…
 * choice (once the extension's list is regenerated). Returns the function that removes it again.
 */
export function registerFamily(spec: FamilySpec): () => void {
  if (familySpec(spec.name)) throw new Error(`model family '${spec.name}' is already registered`);
  registry.push(spec);
  return () => {
    const i = registry.indexOf(spec);
    if (i >= 0) registry.splice(i, 1);
  };
}

/** Each family's train and load by name (loads the model code of every family). */
export const families: Record<string, ModelFamily<any>> = new Proxy({} as Record<string, ModelFamily<any>>, {
  get: (_, name) => (typeof name === 'string' ? familySpec(name)?.load() : undefined),
  has: (_, name) => typeof name === 'string' && familySpec(name) !== undefined,
  ownKeys: () => familyNames(),
  getOwnPropertyDescriptor: (_, name) => (typeof name === 'string' && familySpec(name) ? { enumerable: true, configurable: true, value: familySpec(name)!.load() } : undefined),
});

/**
 * Load any checkpoint written by this engine; the header's `family` picks the loader. A PyTorch `.pth`
 * (`torch.save(state_dict)`) opens as a bi-encoder, converted in memory as `opts.torch` says.
 */
export async function loadModel(path: string, opts: LoadModelOptions = {}): Promise<EmpathyModel> {
  const family = await readCheckpointFamily(path);
  return requireFamily(family, `${path}: `).load().load(path, opts);
}
