// `empathy download-weights MODEL_ID`: a model's config, tokenizer files and weights from the Hugging Face
// hub (or HF_ENDPOINT) into the hub cache, where `--init_weights MODEL_ID` finds them, or into `--to DIR`.
import { downloadWeights, hubCacheDir, hubEndpoint } from '../../engine';
import { UsageError } from '../args';
import type { Command } from '../command';
import { formatBytes, ProgressBar } from '../progress';

export const downloadWeightsCommand: Command = {
  name: 'download-weights',
  summary: 'fetch a pretrained model (e.g. roberta-base) from the Hugging Face hub into its cache',
  usage: [
    'usage: empathy download-weights MODEL_ID [--to DIR] [--revision REV]',
    '',
    'Fetches config.json, the tokenizer files the model has (tokenizer.json, tokenizer_config.json, vocab.json,',
    'merges.txt, special_tokens_map.json) and model.safetensors (else pytorch_model.bin) from',
    '$HF_ENDPOINT/MODEL_ID/resolve/REV/FILE (default https://huggingface.co), each checked against the hash the',
    'hub publishes, into the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub),',
    'where `empathy train --init_weights MODEL_ID` finds it. An interrupted download resumes on the next run.',
  ].join('\n'),
  options: [
    { name: 'to', type: 'string', metavar: 'DIR', help: 'a plain folder for the files instead of the cache' },
    { name: 'revision', type: 'string', default: 'main', metavar: 'REV', help: 'branch, tag or commit' },
    { name: 'timeout', type: 'number', default: 60, help: 'seconds without an answer or a byte before giving up' },
  ],
  async run(args, ctx) {
    const o = args.opts as { to?: string; revision: string; timeout: number };
    if (args.positionals.length !== 1) throw new UsageError('download-weights needs one MODEL_ID (e.g. empathy download-weights roberta-base)');
    const modelId = args.positionals[0];
    const endpoint = hubEndpoint();
    ctx.err.write(`${modelId}@${o.revision} from ${endpoint} → ${o.to ?? hubCacheDir()}\n`);
    let bar: ProgressBar | undefined;
    const res = await downloadWeights(modelId, {
      revision: o.revision,
      to: o.to,
      endpoint,
      timeoutMs: o.timeout * 1000,
      signal: ctx.signal,
      onFile: (file, size, cached) => {
        bar?.done();
        bar = undefined;
        if (cached) ctx.err.write(`${file}: already there (${formatBytes(size)}, verified)\n`);
      },
      onBytes: (file, done, total) => {
        bar ??= new ProgressBar({ unit: 'B', bytes: true, label: file, tty: ctx.tty, stream: ctx.err, initial: done });
        bar.update(done, total);
        if (done === total) bar.finish();
      },
    });
    bar?.done();
    for (const f of res.skipped) ctx.err.write(`${f}: not in ${modelId} (optional, skipped)\n`);
    const fetched = res.files.filter((f) => !f.cached);
    ctx.out.write(`${modelId} @ ${res.commit}: ${res.files.length} files (${fetched.length} fetched, ${formatBytes(fetched.reduce((s, f) => s + f.size, 0))}) in ${res.folder}\n`);
    ctx.out.write(o.to !== undefined ? `use it with: --init_weights ${o.to}\n` : `use it with: --init_weights ${modelId}${o.revision !== 'main' ? `@${o.revision}` : ''}\n`);
  },
};
