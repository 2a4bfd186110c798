// `empathy cv`: grouped (by seeker post), stratified k-fold cross-validation of any model family or
// preset on labelled CSVs; prints mean ± std per metric and optionally writes them as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, writeTextAtomic } from '../../../dataset/csv';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { crossValidate, type CvReport, type LabeledPair, type Mechanism } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { BI_ENCODER_PRESETS, modelNames, resolveModelPreset, requireFamily } from '../../models';
import { UsageError, type OptionSpec } from '../args';
import type { Command } from '../command';
import { engine } from '../engine';
import { ENCODING_OPTION, encodingOption } from '../fileOptions';
import { BACKEND_OPTION, startBackend, THREADS_OPTION, threadsOption } from '../backendOption';
import { loadLabeledFiles, pathList } from '../../../dataset/labeledFiles';
import { planFor } from '../../training/trainAndRecord';

const OPTIONS: OptionSpec[] = [
  { name: 'data', type: 'list', metavar: 'PATH', help: 'labelled CSVs (raw or processed; several files are concatenated, e.g. train and dev)' },
  { name: 'joint', type: 'boolean', help: 'all three mechanisms (sibling files found by name)' },
  { name: 'mechanism', type: 'string', choices: MECHANISMS, help: 'mechanism of a file whose name does not say' },
  { name: 'model', type: 'string', default: 'offline-default', metavar: 'NAME', get help() { return `model preset or family: ${modelNames().join(', ')} (as empathy train --model)`; } },
  { name: 'preset', type: 'string', metavar: 'NAME', help: `bi-encoder size: ${BI_ENCODER_PRESETS.join(', ')}; a model name here (offline-default, …) means --model NAME, as before` },
  { name: 'folds', type: 'number', default: 5, metavar: 'K', help: 'number of folds (grouped by sp_id, stratified by level)' },
  { name: 'seed', type: 'number', default: 12, metavar: 'N', help: 'fold assignment seed' },
  { name: 'config', type: 'string', metavar: 'FILE.json', help: "overrides of the family's config" },
  { name: 'json', type: 'string', metavar: 'PATH', help: 'also write the report as JSON' },
  { name: 'limit', type: 'number', metavar: 'N', help: 'use only the first N pairs (smoke runs)' },
  ENCODING_OPTION,
  BACKEND_OPTION,
  THREADS_OPTION,
];

export const cv: Command = {
  name: 'cv',
  summary: 'grouped (sp_id), stratified k-fold cross-validation of a model preset: mean ± std per metric',
  usage: [
    'usage: empathy cv --data TRAIN.csv[,DEV.csv] [--joint] [--model offline-default|offline-default-soft|linear|tagger|ensemble|bi-encoder [--preset tiny|small]] [--folds 5] [--json OUT.json]',
    '',
    'Rows that share a seeker post (sp_id) always fall in the same fold; folds keep the level distribution',
    'of every labelled mechanism. Each fold trains the preset from scratch on the other folds.',
  ].join('\n'),
  options: OPTIONS,
  async run(args, ctx) {
    const o = args.opts as { data: string[]; joint: boolean; mechanism?: Mechanism; model: string; preset?: string; folds: number; seed: number; config?: string; json?: string; limit?: number; encoding?: string; backend?: string; threads?: number };
    const threads = threadsOption(o.threads);
    // One vocabulary with `train`: --model names the model; --preset is the bi-encoder's size (a model
    // name given as --preset, the older spelling, still means --model).
    let modelName = o.model;
    let biPreset: string | undefined;
    if (o.preset !== undefined) {
      if (BI_ENCODER_PRESETS.includes(o.preset)) biPreset = o.preset;
      else if (resolveModelPreset(o.preset) && !args.given.has('model')) modelName = o.preset;
      else throw new UsageError(`unknown --preset ${JSON.stringify(o.preset)} (bi-encoder sizes: ${BI_ENCODER_PRESETS.join(', ')}; models go in --model: ${modelNames().join(', ')})`);
    }
    const files = pathList(o.data);
    if (files.length === 0) throw new UsageError('no data: pass --data TRAIN.csv (add --joint for all three mechanisms)');
    if (!(o.folds >= 2 && Number.isInteger(o.folds))) throw new UsageError(`--folds must be an integer ≥ 2, got ${o.folds}`);
    const preset = resolveModelPreset(modelName);
    if (!preset) throw new UsageError(`unknown --model ${JSON.stringify(modelName)} (known: ${modelNames().join(', ')})`);
    if (biPreset && !requireFamily(preset.family).sizes?.length) throw new UsageError(`--preset ${biPreset} is a bi-encoder size; --model ${modelName} has none`);
    let overrides: Record<string, unknown> = {};
    if (o.config) {
      try {
        overrides = JSON.parse(fs.readFileSync(path.resolve(ctx.cwd, o.config), 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new DataError(o.config, undefined, `cannot read config JSON: ${(e as Error).message}`);
      }
    }
    // Each file (with --joint: each file and its sibling mechanisms) loads on its own; the pairs are concatenated.
    const loaded = { pairs: [] as LabeledPair[], files: [] as Array<{ file: string; mechanism: Mechanism; rows: number }> };
    for (const f of files) {
      const one = await loadLabeledFiles('data', [path.resolve(ctx.cwd, f)], { joint: o.joint, mechanism: o.mechanism, cwd: ctx.cwd, encoding: encodingOption(o.encoding) });
      for (const w of one.warnings) ctx.err.write(`warning: ${w}\n`);
      loaded.pairs.push(...one.pairs);
      loaded.files.push(...one.files.map(({ file, mechanism, rows }) => ({ file, mechanism, rows })));
    }
    assertOutputsClear([{ flag: 'json', path: o.json }], [...loaded.files.map((f) => ({ flag: 'data', path: f.file })), { flag: 'config', path: o.config }], ctx.cwd);
    const pairs = o.limit ? loaded.pairs.slice(0, Math.max(1, Math.floor(o.limit))) : loaded.pairs;
    const eng = engine();
    await startBackend(o.backend, ctx.err, threads);
    const family = requireFamily(preset.family).load();
    // The one plan `train` makes: --config's train.py-named fields translated for the family, a note for each it does not use.
    const plan = planFor({ model: modelName, config: { ...overrides, ...(biPreset ? { preset: biPreset } : {}) }, data: { train: pairs }, nameOf: (k) => (k === 'preset' ? '--preset' : `--config ${k}`) });
    for (const n of plan.notes) ctx.err.write(`note: ${n}\n`);
    const cfg = plan.config;
    ctx.err.write(`cv: ${modelName}${biPreset ? ` ${biPreset}` : ''} (${preset.family}) on ${pairs.length} pairs, ${o.folds} folds grouped by sp_id, seed ${o.seed}\n`);
    const report: CvReport = await crossValidate(pairs, (train, ro) => family.train(cfg, { train }, ro), {
      k: o.folds,
      seed: o.seed,
      signal: ctx.signal,
      onFold: (e) => {
        if (e.type === 'fold-start') ctx.err.write(`fold ${e.fold + 1}/${e.folds}: training on ${e.train}, testing on ${e.test} pairs\n`);
        else ctx.err.write(`fold ${e.fold + 1}/${e.folds} done in ${e.seconds.toFixed(1)} s: ${Object.entries(e.metrics).filter(([k]) => k.endsWith('.macroF1')).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}\n`);
      },
    });
    const w = (s: string) => ctx.out.write(s + '\n');
    const keys = Object.keys(report.metrics);
    const width = Math.max(...keys.map((k) => k.length), 6);
    w(`${'metric'.padEnd(width)}  mean ± std (${report.folds} folds)`);
    for (const k of keys) w(`${k.padEnd(width)}  ${report.metrics[k].mean.toFixed(4)} ± ${report.metrics[k].std.toFixed(4)}`);
    if (o.json) {
      const out = path.resolve(ctx.cwd, o.json);
      writeTextAtomic(out, JSON.stringify({ model: modelName, ...(biPreset ? { preset: biPreset } : {}), family: preset.family, config: cfg, data: loaded.files, pairs: pairs.length, ...report }, null, 2) + '\n');
      ctx.err.write(`wrote ${o.json}\n`);
    }
    return 0;
  },
};
