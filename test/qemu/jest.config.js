'use strict';
// jest under scripts/test-arm64.sh: the project's config, with dist/ compiled beforehand by the
// script on the host (globalSetup's execFileSync of process.execPath cannot go through qemu).
const base = require('../../jest.config.js');
module.exports = { ...base, rootDir: '../..', globalSetup: undefined, testTimeout: 120000 };
