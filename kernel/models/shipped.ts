// The model that ships with the workbench: the `offline-default` preset trained on the public EPITOME
// Reddit *train* split (ER, IP, EX), built by `npm run model:build` (bench/buildModel.ts) and stored in
// dataset/models/ beside its model card (offline-default.md) and build record (offline-default.json).
// `empathy predict` / `empathy test` without model paths, the quickstart and the panels open it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmpathyModel } from '../engine';

/** The checkpoint's file name in dataset/models/. */
export const SHIPPED_MODEL_FILE = 'offline-default.safetensors';
/** Its build record (data hashes, config, dev-split metrics) written by `npm run model:build`. */
export const SHIPPED_MODEL_RECORD = 'offline-default.json';
/** Its model card (data, licence, training, metrics, intended use, limits). */
export const SHIPPED_MODEL_CARD = 'offline-default.md';
/** One line naming the shipped model, for the CLI and notebooks to print when they use it. */
export const SHIPPED_MODEL_SUMMARY = 'the shipped offline-default model (trained on the public EPITOME Reddit train split; card: dataset/models/offline-default.md)';

/**
 * dataset/models/ of the workbench: found upwards from this module, so it works from out/kernel/models
 * (repository build) and from out/kernel/process (the .vsix's bundled kernel), both three levels under
 * the package root.
 */
export function shippedModelsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const cand = join(dir, 'dataset', 'models');
    if (existsSync(join(cand, SHIPPED_MODEL_FILE))) return cand;
    dir = dirname(dir);
  }
  return join(__dirname, '..', '..', '..', 'dataset', 'models');
}

/** Whether the shipped checkpoint is present (a source checkout before `npm run model:build` may lack it). */
export function hasShippedModel(): boolean {
  return existsSync(join(shippedModelsDir(), SHIPPED_MODEL_FILE));
}

/** Absolute path of the shipped checkpoint; throws, saying how to build it, when it is missing. */
export function shippedModelPath(): string {
  const p = join(shippedModelsDir(), SHIPPED_MODEL_FILE);
  if (!existsSync(p)) throw new Error(`the shipped model ${p} is missing: build it with \`npm run model:build\` (needs the public EPITOME CSVs; EMPATHY_DATA_DIR)`);
  return p;
}

/** Load the shipped model (an `ensemble` checkpoint scoring ER, IP and EX). The caller disposes it. */
export async function loadShippedModel(): Promise<EmpathyModel> {
  const { loadModel } = require('./families') as typeof import('./families');
  return loadModel(shippedModelPath());
}
