// The layer rule, enforced by `npm test` (test/kernel/layering.test.ts runs dependency-cruiser with
// this file). Dependency direction: extension → kernel → dataset; webviews → kernel/protocol (types
// and MIME constants only); no cycles anywhere, between files or kernel/ folders. README "Layout" draws
// the same picture.
const fs = require('node:fs');
const path = require('node:path');

// index-is-the-public-surface covers every folder of kernel/ that has an index.ts, found afresh on each run
// (in the folder dependency-cruiser runs from), so a new index.ts is covered at once. Product code outside
// the folder imports only its index.ts; files inside the folder's tree, subfolders included, import each
// other directly (through their own index they would close file cycles). Decided per folder:
// - Nested indexes count on their own: kernel/engine/tokenizer/ is its own concept (BPE, HF, JSON restore),
//   so the rest of kernel/engine/ reaches it through tokenizer/index.ts, while code outside kernel/engine/
//   goes through engine/index.ts, which re-exports it. Likewise kernel/api/display/ inside kernel/api/.
// - The family folders (kernel/models/bi-encoder/, linear/, tagger/, ensemble/, text/) have no index: a
//   family is one entry of the registry, and kernel/models/index.ts is the surface of all of them.
// - kernel/api/index.ts is what notebook cells import as `empathy`; kernel/api/context.ts is the kernel's
//   side of it (the session installs the running cell's context there), so it is not in the cells' API and
//   the session imports it directly (EXEMPT).
// - An index re-exports a module that loads tfjs (or another heavy package) lazily (kernel/engine/lazyExport.ts),
//   so going through an index never loads more at startup than the deep import did.
function foldersWithIndex(dir) {
  if (!fs.existsSync(dir)) return [];
  const found = fs.existsSync(path.join(dir, 'index.ts')) ? [dir] : [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) found.push(...foldersWithIndex(`${dir}/${e.name}`));
  }
  return found;
}
const SURFACES = foldersWithIndex('kernel').map((f) => f.replace(/[.]/g, '[.]'));
const EXEMPT = '^kernel/api/context[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'dataset-is-the-bottom',
      comment: 'dataset/ (schema, CSV, loaders) is pure data code: it imports nothing of kernel/, extension/ or webviews/.',
      severity: 'error',
      from: { path: '^dataset/' },
      to: { path: '^(kernel|extension|webviews)/' },
    },
    {
      name: 'kernel-is-headless',
      comment: 'kernel/ runs in plain Node (CLI, kernel process): it imports nothing of extension/ or webviews/, and never vscode.',
      severity: 'error',
      from: { path: '^kernel/' },
      to: { path: '^(extension|webviews)/|^vscode$|node_modules/@types/vscode/' },
    },
    {
      name: 'dataset-and-webviews-never-import-vscode',
      comment: "Only extension/ imports 'vscode'.",
      severity: 'error',
      from: { path: '^(dataset|webviews)/' },
      to: { path: '^vscode$|node_modules/@types/vscode/' },
    },
    {
      name: 'webviews-see-only-the-protocol',
      comment: 'Browser code shares only types and MIME constants with the kernel, through kernel/protocol/, and the one CSV quoting rule (dataset/csvField.ts, a pure leaf).',
      severity: 'error',
      from: { path: '^webviews/' },
      to: { path: '^(kernel/(?!protocol/)|dataset/(?!csvField[.]ts$)|extension/)' },
    },
    {
      name: 'extension-reaches-kernel-through-process-and-protocol',
      comment: 'The extension talks to the kernel process (kernel/process/) in the typed protocol (kernel/protocol/); it never links the engine, session or CLI in. Besides those it may import only these pure modules: the notebook file formats (kernel/notebook/format/: .empathy and .ipynb), where runs live (kernel/runs/location.ts), the dataset payload (kernel/payloads/dataset.ts: Restricted Mode shows CSVs without a kernel, with the pure loaders of dataset/), and the report renderers (kernel/report/html.ts, markdown.ts, and the static fallbacks in kernel/report/fallback/: Export as HTML or .ipynb from the outputs already there, no kernel).',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^(kernel/(?!process/|protocol/|notebook/format/|runs/location[.]ts$|payloads/dataset[.]ts$|report/(html|markdown)[.]ts$|report/fallback/)|webviews/)' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'No two folders of kernel/ and dataset/ depend on each other, directly or around a loop: file cycles alone miss a loop through different files (engine/index.ts → models/ → engine/types.ts). Needs options.metrics (dependency-cruiser derives the folder graph with it).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(kernel|dataset)/' },
      to: { path: '^(kernel|dataset)/', circular: true },
    },
    // index-is-the-public-surface: one rule per folder of kernel/ that has an index.ts (SURFACES, above).
    ...SURFACES.map((folder) => ({
      name: 'index-is-the-public-surface',
      comment: `${folder}/ has an index.ts: product code outside ${folder}/ (kernel/, dataset/, extension/, webviews/) imports only that index; tests and benches may open its files.`,
      severity: 'error',
      from: { path: '^(kernel|dataset|extension|webviews)/', pathNot: `^${folder}/` },
      to: { path: `^${folder}/(?!index[.]ts$)`, pathNot: EXEMPT },
    })),
    {
      name: 'no-cycles',
      comment: 'No import cycles anywhere (type-only imports included): a cycle means two files own one concept.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The folder graph (for no-folder-cycles) is derived with the metrics.
    metrics: true,
    exclude: { path: '^(node_modules|out)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
