'use strict';
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }] },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.js',
};
