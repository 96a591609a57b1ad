'use strict';
// Tests that spawn `node -r uvhttp/register` or pack the package use the compiled dist/: make
// sure it matches lib/ before any test runs.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = function globalSetup() {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
};
