// One pthread worker of the threaded wasm build (started by wasmThreads.ts through worker_threads): runs
// Emscripten's worker script, which tfjs-backend-wasm ships only as a string for a blob: URL, from this
// real file, as Node needs. The script then loads the build's factory (importScripts) and waits for work.
import * as path from 'node:path';

const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const { wasmWorkerContents } = require(path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
// The string comes from a template literal, which turned the script's "\n" escapes into line breaks (the
// script itself is one line): escape them back before compiling it.
const source = wasmWorkerContents.replace(/\n/g, '\\n');
// It expects a CommonJS scope (require, __filename) and makes its own globals (self, Module, importScripts).
new Function('require', '__filename', source)(require, __filename);
