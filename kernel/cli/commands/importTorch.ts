// `empathy import-torch`: a PyTorch checkpoint (what the original train.py's torch.save(model.state_dict())
// writes, zip or legacy format) as a workbench checkpoint. The pickle is read by the restricted unpickler
// (nothing in it runs); the file is written once everything is read and checked, atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { MECHANISMS } from '../../../dataset/schema';
import type { Mechanism } from '../../engine';
import { UsageError } from '../args';
import type { Command } from '../command';
import { engine } from '../engine';
import { TORCH_HEADS_OPTION, TORCH_TOKENIZER_FROM_OPTION, TORCH_TOKENIZER_OPTION, torchImportOptions } from '../models';

export const importTorch: Command = {
  name: 'import-torch',
  summary: 'convert a PyTorch .pth (torch.save of the original model) into a workbench checkpoint',
  usage: [
    'usage: empathy import-torch IN.pth --out OUT.safetensors [--tokenizer DIR | --tokenizer_from CKPT] [--heads N] [--mechanism ER|IP|EX] [--max_len N]',
    '',
    'IN: what torch.save(model.state_dict(), path) writes for the EPITOME bi-encoder (the zip format of torch ≥ 1.6',
    "or the legacy one), with the original class's parameter names (a DataParallel `module.` prefix is dropped).",
    'The architecture comes from the tensor shapes; a state dict does not hold the heads (--heads, default 12),',
    'the mechanism (--mechanism, else the file name: reddit_ER.pth) or the tokenizer (--tokenizer: the Hugging',
    "Face folder of the model it was trained from, e.g. roberta-base; or another checkpoint's).",
    'The pickle is read by a restricted unpickler: only what a tensor state dict uses (OrderedDict, torch tensor',
    'and storage rebuilds); any other global is refused with its name and nothing in the file runs.',
    'test, evaluate and predict open a .pth directly with the same options; this saves the conversion once.',
  ].join('\n'),
  options: [
    { name: 'out', type: 'string', metavar: 'PATH', help: 'workbench checkpoint to write (atomically; folders created)' },
    TORCH_TOKENIZER_OPTION,
    TORCH_TOKENIZER_FROM_OPTION,
    TORCH_HEADS_OPTION,
    { name: 'mechanism', type: 'string', choices: MECHANISMS, help: 'the mechanism a single-mechanism model scores (default: from the file name)' },
    { name: 'max_len', type: 'number', metavar: 'N', help: 'tokens per side including the specials (train.py --max_len; default 64)' },
  ],
  async run(args, ctx) {
    const o = args.opts as { out?: string; max_len?: number } & Record<string, unknown>;
    if (args.positionals.length !== 1) throw new UsageError(`import-torch needs one input file (IN.pth), got ${args.positionals.length}`);
    const input = args.positionals[0];
    if (!o.out) throw new UsageError('import-torch needs --out OUT.safetensors');
    if (o.heads !== undefined && !(Number.isInteger(o.heads) && (o.heads as number) >= 1)) throw new UsageError(`--heads must be a positive integer, got ${String(o.heads)}`);
    assertOutputsClear([{ flag: 'out', path: o.out }], [{ flag: 'IN', path: input }, { flag: 'tokenizer', path: o.tokenizer as string | undefined }, { flag: 'tokenizer_from', path: o.tokenizer_from as string | undefined }], ctx.cwd);
    const inputAbs = path.resolve(ctx.cwd, input);
    if (!fs.existsSync(inputAbs) || fs.statSync(inputAbs).isDirectory()) throw new UsageError(`import-torch: no such file ${input}`);
    const { importTorchCheckpoint, saveCheckpoint } = engine();
    const r = await importTorchCheckpoint(inputAbs, { ...torchImportOptions(o, ctx.cwd, o.mechanism as Mechanism | undefined), maxLen: o.max_len });
    await saveCheckpoint(path.resolve(ctx.cwd, o.out), r.checkpoint);
    ctx.out.write(`imported ${r.summary}\n→ ${o.out} (${r.checkpoint.tensors.size} tensors)\n`);
  },
};
