// Build: transpile the headless core, extension, tests and benches to out/ (CommonJS, one file per
// source, no bundling), and bundle each webview entry point (webviews/entries/*.ts) for the browser.
// Type checking is separate (`npm run typecheck`); esbuild only strips types, so it takes ~1 s.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync, copyFileSync, mkdirSync } from 'node:fs';
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

// ---- webviews (owned by the webviews helper) ----------------------------------------------------
// Panels and the report page: one IIFE per entry. The notebook renderer: an ES module exporting
// activate() (VS Code's renderer contract). plotly.min.js is copied beside them, where the renderers
// lazy-load it from (VS Code: inside the extension's localResourceRoots; never a remote URL).
const webEntries = tsFiles('webviews/entries');
const webCommon = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  loader: { '.css': 'text' },
  legalComments: 'none',
};
if (webEntries.length > 0) {
  await build({ ...webCommon, entryPoints: webEntries, outdir: 'out/webviews', format: 'iife' });
}
if (existsSync('webviews/renderer/index.ts')) {
  await build({ ...webCommon, entryPoints: ['webviews/renderer/index.ts'], outfile: 'out/webviews/renderer.js', format: 'esm' });
}
const plotlySrc = 'node_modules/plotly.js-dist-min/plotly.min.js';
const plotlyDst = 'out/webviews/plotly.min.js';
if (existsSync(plotlySrc) && (!existsSync(plotlyDst) || statSync(plotlyDst).size !== statSync(plotlySrc).size)) {
  mkdirSync('out/webviews', { recursive: true });
  copyFileSync(plotlySrc, plotlyDst);
}
