// Build: transpile the headless core, extension, tests and benches to out/ (CommonJS, one file per
// source, no bundling), and bundle each webview entry point (webviews/entries/*.ts) for the browser.
// Type checking is separate (`npm run typecheck`); esbuild only strips types, so it takes ~1 s.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const nodeDirs = ['kernel', 'dataset', 'extension', 'test', 'bench'];

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const nodeEntries = nodeDirs.flatMap(tsFiles);
await build({
  entryPoints: nodeEntries,
  outdir: 'out',
  outbase: '.',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const webEntries = tsFiles('webviews/entries');
if (webEntries.length > 0) {
  await build({
    entryPoints: webEntries,
    outdir: 'out/webviews',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    loader: { '.css': 'text' },
  });
}
