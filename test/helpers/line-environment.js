'use strict';
// jest's node environment, plus the known differences between uvhttp and the node:http of the
// running line (test/node-lines.json "differences": line -> full test name -> why). A listed
// test runs as test.failing does: it passes while the difference is still there (it is shown at
// the end of the file's run with its reason), and fails as soon as uvhttp matches that line, so
// the entry must then be removed. Nothing is skipped: every listed test still runs and asserts.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;
const path = require('path');

const line = process.versions.node.split('.')[0];
const differences = require(path.join(__dirname, '..', 'node-lines.json')).differences?.[line] ?? {};

function fullName(test) {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' ');
}

class LineEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    this.seen = [];
  }

  handleTestEvent(event) {
    if (event.name !== 'test_fn_start') return;
    const name = fullName(event.test);
    if (Object.prototype.hasOwnProperty.call(differences, name)) {
      event.test.failing = true;
      this.seen.push(name);
    }
  }

  async teardown() {
    for (const name of this.seen) {
      process.stderr.write(`known difference on Node ${line} (the test fails as expected): ${name}\n    ${differences[name]}\n`);
    }
    await super.teardown();
  }
}

module.exports = LineEnvironment;
