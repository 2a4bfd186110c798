// The layer rule, enforced by `npm test` (test/layers/depcruise.test.ts runs dependency-cruiser with
// this file). Dependency direction: extension → kernel → dataset; webviews → kernel/protocol (types
// and MIME constants only); no cycles anywhere. README "Layout" draws the same picture.
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
      comment: 'Browser code shares only types and MIME constants with the kernel, through kernel/protocol/.',
      severity: 'error',
      from: { path: '^webviews/' },
      to: { path: '^(kernel/(?!protocol/)|dataset/|extension/)' },
    },
    {
      name: 'extension-reaches-kernel-through-process-and-protocol',
      comment: 'The extension talks to the kernel process (kernel/process/) in the typed protocol (kernel/protocol/); it never links the engine, session or CLI in. It may read data with the pure loaders of dataset/ and build the dataset payload (kernel/payloads/dataset.ts; Restricted Mode shows CSVs without a kernel) and render a notebook with kernel/report/ (Export as HTML from the outputs already there, no kernel).',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^(kernel/(?!process/|protocol/|report/|payloads/dataset[.]ts$)|webviews/)' },
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
