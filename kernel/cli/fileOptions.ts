// The file options several commands share: `--encoding` of the CSVs read, `--raw_csv` for the CSVs
// written, the model flags (and the shipped model they default to) as inputs for the output guard, and where an interrupted run's rows go.
import * as path from 'node:path';
import type { FlaggedPath } from '../../dataset/outputGuard';
import { checkEncoding } from '../../dataset/textDecode';
import { UsageError, type OptionSpec } from './args';
import { SHIPPED_MODEL_FILE, shippedModelsDir } from '../models';

export const ENCODING_OPTION: OptionSpec = {
  name: 'encoding',
  type: 'string',
  default: 'utf-8',
  metavar: 'NAME',
  help: 'text encoding of the CSVs read: utf-8 (strict: a bad byte is an error naming file:line), cp1252, latin1, utf-16le, utf-16be; a byte-order mark wins',
};

export const RAW_CSV_OPTION: OptionSpec = {
  name: 'raw_csv',
  type: 'boolean',
  help: "write cells verbatim (default: a text cell starting with = + - @ TAB or CR gets a leading ' so spreadsheets do not run it as a formula)",
};

/** The --encoding value, checked (a UsageError names the accepted ones). */
export function encodingOption(v: unknown): string {
  try {
    return checkEncoding(typeof v === 'string' ? v : undefined);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The model flags of MODEL_OPTIONS (and a .pth model's tokenizer flags) that are set, as inputs for
 * assertOutputsClear. With `shippedDefault` (test, predict: no model flag means the shipped model) the
 * shipped checkpoint is an input too.
 */
export function modelInputs(opts: Record<string, unknown>, o: { shippedDefault?: boolean } = {}): FlaggedPath[] {
  const flagged = (flags: string[]) => flags.map((flag) => ({ flag, path: typeof opts[flag] === 'string' ? (opts[flag] as string) : undefined }));
  const models = flagged(['model_path', 'ER_model_path', 'IP_model_path', 'EX_model_path']);
  const given = [...models, ...flagged(['tokenizer_from', 'tokenizer'])];
  return o.shippedDefault && models.every((g) => g.path === undefined) ? [...given, shippedModelInput()] : given;
}

/** The shipped model as an input the command picks itself (test/predict without a model, notebooks). */
export function shippedModelInput(): FlaggedPath {
  return { flag: 'model_path', path: path.join(shippedModelsDir(), SHIPPED_MODEL_FILE), implied: 'the shipped model, read when no --model_path is given,' };
}

/** Where an interrupted run writes the rows it has: OUT.csv → OUT.partial.csv (never over OUT.csv). */
export function partialPath(out: string): string {
  const ext = path.extname(out);
  return ext ? `${out.slice(0, -ext.length)}.partial${ext}` : `${out}.partial`;
}
