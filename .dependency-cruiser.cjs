// The layer rule, enforced by `npm test` (test/kernel/layering.test.ts runs dependency-cruiser with
// this file). Dependency direction: extension → kernel → dataset; webviews → kernel/protocol (types
// and MIME constants only); no cycles anywhere, between files or kernel/ folders. README "Layout" draws
// the same picture.
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
    {
      name: 'index-is-the-public-surface',
      comment: "A folder with an index.ts is reached through it from the rest of kernel/ (tests and benches may open its files).",
      severity: 'error',
      from: { path: '^kernel/', pathNot: '^kernel/(engine/tokenizer|api/display|cli/commands)/' },
      to: { path: '^kernel/(engine/tokenizer|api/display|cli/commands)/(?!index[.]ts$)' },
    },
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
