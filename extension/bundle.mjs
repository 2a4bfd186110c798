// Extension bundle (for `npm run package`): lays out the package root out/vsix/ (apart from the files
// `node build.mjs` keeps rewriting in out/), where esbuild bundles the extension host code and the kernel
// process into single files at the paths package.json and the kernel client use, so the .vsix needs no
// node_modules, and copies beside them the few files those bundles read at run time:
//   - TypeScript's lib.*.d.ts (the cell type checker's default libs, found beside the running script);
//   - the kernel API + dataset sources (what `import … from 'empathy'` type-checks against);
//   - @tensorflow/tfjs-backend-wasm's package.json, .wasm binaries (located via require.resolve) and, for its
//     threaded build, Emscripten's factory and worker script (wasm-out/), run by wasmThreadWorker.js;
//   - @types/node (+ undici-types) for the cell type checker;
//   - the type declarations of the packages cells may import (danfojs-node; its code is in the kernel bundle);
// plus the webview bundles, tutorials, samples and walkthrough. `vsce package` then runs in out/vsix/.
// Native/optional packages stay external: tfjs-node / tfjs-node-gpu load only when installed next to a
// real Node (see README, "Optional native backends"). The webgpu rung's Dawn binding (the `webgpu` package)
// ships inside the .vsix with only the target platform's dist/<platform>/dawn.node: the .vsix is built per
// platform (EMPATHY_VSIX_TARGET: linux-x64 by default, darwin-arm64, win32-x64…; `vsce package --target` the same).
// onnxruntime-node (inference) ships the same way: only the target's CPU binary under bin/napi-v*/<os>/<arch>/.
import { build, transform } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const external = [
  'vscode',
  '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu',
  'onnxruntime-node', 'sharp', 'canvas',
];

const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, minify: true,
  external, logLevel: 'error', legalComments: 'none', plugins: [],
};

// The kernel client forks `main.js` beside its own module; bundled into out/extension/activate.js it
// must point at out/kernel/process/main.js instead.
const kernelMainPath = {
  name: 'kernel-main-path',
  setup(b) {
    b.onLoad({ filter: /kernel[\\/]process[\\/]client\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const from = "path.join(__dirname, 'main.js')";
      if (!src.includes(from)) throw new Error(`${args.path}: expected ${from} (kernel entry path) to rewrite for the bundle`);
      return { contents: src.replace(from, "path.join(__dirname, '..', 'kernel', 'process', 'main.js')"), loader: 'ts' };
    });
  },
};

// kernel/engine/index.ts and kernel/models/index.ts define their values on module.exports when first read
// (kernel/engine/lazyExport.ts) and declare their types with `export declare`: to the bundler that reads as an
// ES module without those exports ("No matching export"). Handed over as the CommonJS they compile to, each
// name is resolved when read, as in the per-file build.
const lazyIndexes = {
  name: 'lazy-indexes',
  setup(b) {
    b.onLoad({ filter: /kernel[\\/].*index\.ts$/ }, async (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes('lazyExport(module.exports')) return undefined;
      const { code } = await transform(src, { loader: 'ts', format: 'cjs', sourcefile: args.path });
      return { contents: code, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// EMPATHY_VSIX_STAGE: another folder (the packaged-kernel test stages outside the repository).
const STAGE = process.env.EMPATHY_VSIX_STAGE || 'out/vsix';
rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
const kernelEntry = 'kernel/process/main.ts';
const kernelOut = join(STAGE, 'out/kernel/process');
await build({ ...common, entryPoints: ['extension/activate.ts'], outfile: join(STAGE, 'out/extension/activate.js'), plugins: [kernelMainPath, lazyIndexes] });
if (!existsSync(kernelEntry)) throw new Error(`${kernelEntry} missing: the kernel process cannot be bundled`);
// keepNames: cells see class names (display.table knows a DataFrame by its constructor's name). The alias:
// danfojs-node (kernel/session/shippedPackages.ts) requires '@tensorflow/tfjs-node', which package.json's
// overrides make the npm alias of @tensorflow/tfjs: it gets the kernel's own tfjs. The engine's native
// tfjs-node is a dynamic require (kernel/engine/backend.ts), untouched by the alias and still external.
await build({
  ...common, keepNames: true, entryPoints: [kernelEntry], outfile: join(kernelOut, 'main.js'),
  external: external.filter((e) => e !== '@tensorflow/tfjs-node'), alias: { '@tensorflow/tfjs-node': '@tensorflow/tfjs' },
  plugins: [lazyIndexes],
});
// The cell type checker's thread, loaded by path from beside main.js (kernel/session/typecheckThread.ts).
await build({ ...common, entryPoints: ['kernel/session/typecheckWorker.ts'], outfile: join(kernelOut, 'typecheckWorker.js'), plugins: [lazyIndexes] });
// The wasm backend's pthread worker, started by path from beside main.js (kernel/engine/wasmThreads.ts).
await build({ ...common, entryPoints: ['kernel/engine/wasmThreadWorker.ts'], outfile: join(kernelOut, 'wasmThreadWorker.js'), plugins: [lazyIndexes] });

// TypeScript default libs beside the bundled kernel (ts.getDefaultLibFilePath = dirname of the script).
const tsLib = dirname(require.resolve('typescript/lib/lib.d.ts'));
for (const f of readdirSync(tsLib)) {
  if (/^lib\..*\.d\.ts$/.test(f) && !/^lib\.(dom|webworker|scripthost)/.test(f)) cpSync(join(tsLib, f), join(kernelOut, f));
}

// Node's types for the cell type checker (typeRoots includes <kernel dir>/types), and the package they
// import (resolved from the kernel's node_modules).
const typesPkg = dirname(require.resolve('@types/node/package.json'));
cpSync(typesPkg, join(kernelOut, 'types/node'), { recursive: true });
const undiciPkg = dirname(createRequire(join(typesPkg, 'package.json')).resolve('undici-types/package.json'));
cpSync(undiciPkg, join(kernelOut, 'node_modules/undici-types'), { recursive: true });

// The wasm backend finds its binaries through its package.json; its threaded build also needs, as files,
// Emscripten's factory (run by every pthread worker) and the worker script (kernel/engine/wasmThreads.ts).
const wasmPkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const wasmOut = join(kernelOut, 'node_modules/@tensorflow/tfjs-backend-wasm');
mkdirSync(join(wasmOut, 'dist'), { recursive: true });
mkdirSync(join(wasmOut, 'wasm-out'), { recursive: true });
cpSync(join(wasmPkg, 'package.json'), join(wasmOut, 'package.json'));
for (const f of readdirSync(join(wasmPkg, 'dist'))) if (f.endsWith('.wasm')) cpSync(join(wasmPkg, 'dist', f), join(wasmOut, 'dist', f));
for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) cpSync(join(wasmPkg, 'wasm-out', f), join(wasmOut, 'wasm-out', f));

// ---- packages the tutorials import in cells (kernel/session/shippedPackages.ts) ------------------
// They are bundled into main.js (danfojs-node's tfjs, the npm alias @tensorflow/tfjs-node → @tensorflow/tfjs
// of package.json's overrides, is the kernel's own); here only their type declarations, for the cell type
// checker, which resolves cells' imports beside the kernel last (kernel/session/typecheck.ts).
for (const pkg of ['danfojs-node']) {
  const pkgDir = dirname(require.resolve(`${pkg}/package.json`));
  const meta = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const out = join(kernelOut, 'node_modules', pkg);
  cpSync(join(pkgDir, 'dist'), join(out, 'dist'), { recursive: true, filter: (src) => statSync(src).isDirectory() || src.endsWith('.d.ts') });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: meta.name, version: meta.version, license: meta.license, types: meta.types }, null, 2));
}
// ---- end of the tutorials' packages ---------------------------------------------------------------
// Dawn for the webgpu rung, this target's binary only (kernel/engine/webgpuBackend.ts loads
// node_modules/webgpu/dist/<platform>-<arch>/dawn.node through its package.json).
const target = process.env.EMPATHY_VSIX_TARGET || 'linux-x64'; // the same default as `npm run package`'s vsce --target
const DAWN_DIRS = { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'darwin-x64': 'darwin-universal', 'darwin-arm64': 'darwin-universal', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64' };
const dawnDir = DAWN_DIRS[target];
let webgpuPkg;
try { webgpuPkg = dirname(require.resolve('webgpu/package.json')); } catch { webgpuPkg = undefined; }
if (!dawnDir) console.warn(`bundle: no Dawn build for target ${target}: the .vsix ships without the webgpu rung`);
else if (!webgpuPkg) console.warn('bundle: the optional package webgpu is not installed: the .vsix ships without the webgpu rung');
else {
  const webgpuOut = join(kernelOut, 'node_modules/webgpu');
  mkdirSync(join(webgpuOut, 'dist'), { recursive: true });
  for (const f of ['package.json', 'LICENSE.md']) if (existsSync(join(webgpuPkg, f))) cpSync(join(webgpuPkg, f), join(webgpuOut, f));
  cpSync(join(webgpuPkg, 'dist', dawnDir), join(webgpuOut, 'dist', dawnDir), { recursive: true });
  console.log(`bundle: webgpu (Dawn) for ${target}: dist/${dawnDir}`);
}

// onnxruntime for inference (kernel/engine/onnx/runtime.ts requires it from the engine's own folder, i.e.
// beside main.js): its package.json and dist/*.js, onnxruntime-common's CommonJS build, and of bin/ only
// this target's napi-v*/<os>/<arch>/ binding with the CPU runtime library it links (libonnxruntime.so.1,
// libonnxruntime.1.dylib, onnxruntime.dll). Left out: other platforms, the duplicate versioned .dylib, and
// DirectML.dll / dxcompiler.dll (loaded only for the DirectML and WebGPU execution providers, never asked
// for here). No binary for the target: the .vsix ships without it and the kernel infers with tfjs.
const ORT_DIRS = { 'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'darwin-x64': 'darwin/x64', 'darwin-arm64': 'darwin/arm64', 'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64' };
const ORT_LIBS = /^(onnxruntime_binding\.node|libonnxruntime\.so\.1|libonnxruntime\.1\.dylib|onnxruntime\.dll)$/;
let ortPkg;
try { ortPkg = dirname(require.resolve('onnxruntime-node/package.json')); } catch { ortPkg = undefined; }
const ortBins = ortPkg && ORT_DIRS[target] && existsSync(join(ortPkg, 'bin'))
  ? readdirSync(join(ortPkg, 'bin')).filter((n) => /^napi-v\d+$/.test(n)).map((n) => join('bin', n, ORT_DIRS[target])).filter((d) => existsSync(join(ortPkg, d, 'onnxruntime_binding.node')))
  : [];
if (!ortPkg) console.warn('bundle: onnxruntime-node is not installed: the .vsix ships without it (the kernel infers with tfjs)');
else if (ortBins.length === 0) console.warn(`bundle: onnxruntime-node has no binary for target ${target}: the .vsix ships without it (the kernel infers with tfjs)`);
else {
  const ortOut = join(kernelOut, 'node_modules/onnxruntime-node');
  const jsOnly = (src) => statSync(src).isDirectory() || src.endsWith('.js') || src.endsWith('package.json'); // dist/cjs/package.json says "type": "commonjs"
  for (const f of ['package.json', 'LICENSE', 'ThirdPartyNotices.txt']) if (existsSync(join(ortPkg, f))) cpSync(join(ortPkg, f), join(ortOut, f));
  cpSync(join(ortPkg, 'dist'), join(ortOut, 'dist'), { recursive: true, filter: jsOnly });
  for (const d of ortBins) {
    mkdirSync(join(ortOut, d), { recursive: true });
    for (const f of readdirSync(join(ortPkg, d))) if (ORT_LIBS.test(f)) cpSync(join(ortPkg, d, f), join(ortOut, d, f));
  }
  // The copy onnxruntime-node requires (its exports map hides package.json: walk up from the entry point).
  let commonPkg = dirname(createRequire(join(ortPkg, 'package.json')).resolve('onnxruntime-common'));
  while (!existsSync(join(commonPkg, 'package.json')) || !/[\\/]onnxruntime-common$/.test(commonPkg)) commonPkg = dirname(commonPkg);
  const commonOut = join(kernelOut, 'node_modules/onnxruntime-common');
  for (const f of ['package.json', 'LICENSE', 'ThirdPartyNotices.txt']) if (existsSync(join(commonPkg, f))) cpSync(join(commonPkg, f), join(commonOut, f));
  cpSync(join(commonPkg, 'dist/cjs'), join(commonOut, 'dist/cjs'), { recursive: true, filter: jsOnly });
  console.log(`bundle: onnxruntime-node for ${target}: ${ortBins.join(', ')}`);
}

// Sources the cell type checker reads for the `empathy` module (out/kernel/api/index.ts from the bundle).
const copyTs = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) copyTs(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) { mkdirSync(join(STAGE, 'out', dir), { recursive: true }); cpSync(p, join(STAGE, 'out', p)); }
  }
};
for (const d of ['kernel', 'dataset']) if (existsSync(d)) copyTs(d);

// Everything else the package ships, at the same paths as in the repository.
if (!existsSync('out/webviews/renderer.js')) throw new Error('out/webviews/renderer.js missing: run node build.mjs first');
for (const p of ['package.json', '.vscodeignore', 'README.md', 'LICENSE', 'LICENSE.md', 'out/webviews', 'examples', 'dataset/samples', 'dataset/models', 'extension/walkthrough']) {
  if (existsSync(p)) cpSync(p, join(STAGE, p), { recursive: true });
}
