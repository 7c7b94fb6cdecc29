/** ESM project ("type": "module"): jest runs under node --experimental-vm-modules (see npm test). */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testRegex: '.*\\.(e2e-)?spec\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  // sources use NodeNext-style "./foo.js" specifiers; map them back to the .ts files
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // cookie@2 is ESM-only and require()d by light-my-request; jest on Node 20 cannot require(esm)
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  transform: {
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { useESM: true, tsconfig: { allowJs: true, target: 'es2022' } }],
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 30000,
};
