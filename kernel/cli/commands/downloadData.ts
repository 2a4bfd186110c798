// `empathy download-data` (npm run dataset:download): the public EPITOME Reddit CSVs from the original
// repository into a folder of yours, with the authors' attribution.
import * as path from 'node:path';
import { ATTRIBUTION, DEFAULT_BASE_URL, downloadEpitome, PUBLIC_FILES } from '../../../dataset/download';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import type { Command } from '../command';

export const downloadData: Command = {
  name: 'download-data',
  summary: 'fetch the public EPITOME Reddit CSVs from the original repository',
  usage: `usage: empathy download-data [--out_dir data/epitome]\n\nFetches ${DEFAULT_BASE_URL}/{emotional-reactions,interpretations,explorations}-reddit.csv.\n${ATTRIBUTION}`,
  options: [
    { name: 'out_dir', type: 'string', default: 'data/epitome', metavar: 'DIR', help: 'folder for the CSVs (created)' },
    { name: 'base_url', type: 'string', metavar: 'URL', help: 'where the CSVs live (default: the original repository; env EMPATHY_DATA_URL)' },
    { name: 'timeout', type: 'number', default: 60, help: 'seconds per file' },
  ],
  async run(args, ctx) {
    const o = args.opts as { out_dir: string; base_url?: string; timeout: number };
    // The files it will write, checked before anything is fetched (a file where the folder goes, read-only).
    assertOutputsClear(PUBLIC_FILES.map((n) => ({ flag: 'out_dir', path: path.join(o.out_dir, n) })), [], ctx.cwd);
    const baseUrl = o.base_url ?? process.env.EMPATHY_DATA_URL ?? DEFAULT_BASE_URL;
    const res = await downloadEpitome(o.out_dir, { baseUrl, timeoutMs: o.timeout * 1000, onFile: (n) => ctx.err.write(`downloading ${n} …\n`) });
    for (const r of res) ctx.out.write(`${r.file}: ${r.rows} rows (${(r.bytes / 1024).toFixed(0)} KiB)\n`);
    ctx.out.write(`${ATTRIBUTION}\n`);
  },
};
