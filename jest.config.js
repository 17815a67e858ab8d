/**
 * Two projects: fast unit tests beside the code (src/**\/*.spec.ts) and end-to-end tests
 * that drive the real app over HTTP (test/**\/*.e2e-spec.ts). Nest 12 is ESM-only, so Jest
 * runs with --experimental-vm-modules (see package.json).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // e2e files start the whole app (the embedded database takes seconds to initialise).
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      // deploy/tools: the manifest validation and the canary analysis.
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/deploy/tools/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/real-servers.ts'],
    },
  ],
};
