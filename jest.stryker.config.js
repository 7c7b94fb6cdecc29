/**
 * The tests mutation testing runs: the unit tests, and the end-to-end suites that run the service
 * in this process (those that start the built dist/ in other processes would not see a mutant).
 */
import base from './jest.config.js';

export default {
  ...base,
  testRegex: undefined,
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/e2e/credentials.e2e-spec.ts',
    '<rootDir>/test/e2e/pay.e2e-spec.ts',
    '<rootDir>/test/e2e/pay-host.e2e-spec.ts',
    '<rootDir>/test/e2e/jssdk.e2e-spec.ts',
    '<rootDir>/test/e2e/hostile-upstream.e2e-spec.ts',
    '<rootDir>/test/e2e/media-faults.e2e-spec.ts',
    '<rootDir>/test/e2e/media.e2e-spec.ts',
    '<rootDir>/test/e2e/media-ownership.e2e-spec.ts',
    '<rootDir>/test/e2e/credential-api.e2e-spec.ts',
    '<rootDir>/test/e2e/any-host.e2e-spec.ts',
    '<rootDir>/test/e2e/abuse-limits.e2e-spec.ts',
    '<rootDir>/test/e2e/oauth.e2e-spec.ts',
    '<rootDir>/test/e2e/operations.e2e-spec.ts',
    '<rootDir>/test/e2e/host-store.e2e-spec.ts',
    '<rootDir>/test/e2e/accounts.e2e-spec.ts',
    '<rootDir>/test/e2e/diagnose.e2e-spec.ts',
  ],
};
