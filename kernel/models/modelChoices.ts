// The model vocabulary as pure data for the extension (which may not link the kernel's model code): the
// text of extension/commands/modelChoices.ts and package.json's `empathy.defaultPreset`, both generated
// from the family registry. `npm run gen:model-choices` writes them; test/models/familyRegistry.test.ts
// fails when either differs from what the registry says.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../dataset/atomicFile';
import { familySpec, familySpecs } from './families';
import type { ModelChoice } from './familySpec';
import { modelNames, resolveModelPreset } from './presets';

export interface ModelVocabulary {
  /** Train Model…'s quick pick and `empathy.defaultPreset`, in order. */
  choices: ModelChoice[];
  /** The bi-encoder's sizes: Train Model… trains them through `empathy.train`. */
  sizes: string[];
  /** The model names Train Model… trains through `empathy.trainRun` (every family without sizes). */
  familyModels: string[];
}

export function modelVocabulary(): ModelVocabulary {
  return {
    choices: familySpecs().flatMap((f) => f.choices.map((c) => ({ ...c }))),
    sizes: [...(familySpec('bi-encoder')?.sizes ?? [])],
    familyModels: modelNames().filter((n) => !familySpec(resolveModelPreset(n)!.family)!.sizes?.length),
  };
}

/** The `empathy.defaultPreset` setting's enum and its descriptions. */
export function defaultPresetSetting(v: ModelVocabulary = modelVocabulary()): { enum: string[]; enumDescriptions: string[] } {
  return { enum: v.choices.map((c) => c.id), enumDescriptions: v.choices.map((c) => c.setting) };
}

/** The text of extension/commands/modelChoices.ts. */
export function modelChoicesModule(v: ModelVocabulary = modelVocabulary()): string {
  const json = (x: unknown) => JSON.stringify(x, null, 2);
  return [
    '// The model vocabulary Train Model… offers and `empathy.defaultPreset` lists, as pure data: GENERATED from the',
    '// family registry (kernel/models/families.ts) by `npm run gen:model-choices`; do not edit. A test keeps it,',
    '// and package.json, equal to the registry.',
    '',
    'export interface ModelChoice { id: string; label: string; detail: string; setting: string }',
    '',
    `export const MODEL_CHOICES: readonly ModelChoice[] = ${json(v.choices)};`,
    '',
    '/** The bi-encoder\'s size presets (`--model bi-encoder --preset NAME`). */',
    `export const BI_ENCODER_SIZES: readonly string[] = ${json(v.sizes)};`,
    '',
    '/** The presets and families trainRun trains (every `--model` name but the bi-encoder\'s). */',
    `export const FAMILY_MODELS: readonly string[] = ${json(v.familyModels)};`,
    '',
  ].join('\n');
}

/** Write both files under `repo` (the checkout): the module, and package.json's setting in place. */
export function writeModelChoices(repo: string): string[] {
  const written: string[] = [];
  const module = path.join(repo, 'extension', 'commands', 'modelChoices.ts');
  const text = modelChoicesModule();
  if (!fs.existsSync(module) || fs.readFileSync(module, 'utf8') !== text) {
    writeFileAtomic(module, text);
    written.push(module);
  }
  const pkgFile = path.join(repo, 'package.json');
  const pkgText = fs.readFileSync(pkgFile, 'utf8');
  const pkg = JSON.parse(pkgText) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } };
  Object.assign(pkg.contributes.configuration.properties['empathy.defaultPreset'], defaultPresetSetting());
  const next = JSON.stringify(pkg, null, 2) + '\n';
  if (next !== pkgText) {
    writeFileAtomic(pkgFile, next);
    written.push(pkgFile);
  }
  return written;
}

if (require.main === module) {
  const repo = path.resolve(__dirname, '../../..');
  const written = writeModelChoices(repo);
  process.stdout.write(written.length ? written.map((f) => `wrote ${path.relative(repo, f)}\n`).join('') : 'extension/commands/modelChoices.ts and package.json are up to date\n');
}
