// Extension bundle (for `npm run package`): esbuild bundles the extension host code and the kernel
// process into single files at the paths package.json and the controller use, so the .vsix needs no
// node_modules. Native/optional packages stay external (see README: optional native backends).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

// Loaded only when present on the user's machine (real Node + optional install), never bundled.
const external = [
  'vscode',
  '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu',
  'onnxruntime-node', 'sharp', 'canvas',
];

const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, minify: true,
  external, logLevel: 'warning', legalComments: 'none',
};

const entries = [['extension/activate.ts', 'out/extension/activate.js']];
if (existsSync('kernel/process/main.ts')) entries.push(['kernel/process/main.ts', 'out/kernel/process/main.js']);
for (const [entry, outfile] of entries) await build({ ...common, entryPoints: [entry], outfile });
