// Packages the workbench ships for cells to import (the tutorials use them), for a cell whose own folder
// does not have them. Static requires, so the bundled kernel of the .vsix (extension/bundle.mjs) carries
// them: a package it does not carry cannot be found there, since the package has no node_modules.
// Loaded on first import only.
export const SHIPPED_PACKAGES: Readonly<Record<string, () => unknown>> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  'danfojs-node': () => require('danfojs-node'),
};
