#!/usr/bin/env node
// The `empathy` CLI entry: runs the compiled shell in out/kernel/cli (build first: `node build.mjs`).
'use strict';
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'out', 'kernel', 'cli', 'main.js'));
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('main.js')) {
    process.stderr.write('empathy: not built yet — run `npm run build` (or `node build.mjs`) in the project folder first\n');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
