'use strict';
module.exports = {
  // node, plus the known differences from the running line's node:http (test/node-lines.json).
  testEnvironment: '<rootDir>/test/helpers/line-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }] },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.js',
};
