'use strict';
// Tests that spawn `node -r uvhttp/register` or pack the package use the compiled dist/: make
// sure it matches lib/ before any test runs. The parser tests load the parser probe
// (test/native): rebuilt if a parser source changed since npm install built it.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = function globalSetup() {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!process.env.UVHTTP_PARSER_PROBE) require('./native/build-probe').buildProbe();
};
