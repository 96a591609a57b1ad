'use strict';
// jest under scripts/test-arm64.sh: the project's config, with dist/ compiled beforehand by the
// script on the host (globalSetup's execFileSync of process.execPath cannot go through qemu).
const base = require('../../jest.config.js');
// UVHTTP_SKIP_TESTS: files to leave out, as scripts/jest.sh takes them (space-separated paths).
const skipped = (process.env.UVHTTP_SKIP_TESTS || '').split(' ').filter(Boolean);
module.exports = {
  ...base,
  rootDir: '../..',
  globalSetup: undefined,
  testTimeout: 120000,
  testPathIgnorePatterns: ['/node_modules/', ...skipped.map((file) => `<rootDir>/${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)],
};
