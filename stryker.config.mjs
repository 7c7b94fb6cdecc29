// Mutation testing of the heart of the service (npm run mutate): small bugs are put into these
// files one at a time, and the tests must fail on each. The report goes to reports/mutation/
// (not in git). It takes about two and a half hours on two cores, so CI does not run it. The
// shared lock's own files (src/core/produce-once.ts, src/store/local-coordination.ts) are
// measured one at a time, with `npx stryker run --mutate <file>`: their mutants mostly make
// tests wait for a deadline.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  mutate: [
    // the core: accounts, credentials (the cache, its windows, single flight, refresh ahead, compare-before-
    // refresh, the refresh budgets, reported tokens checked with WeChat, the consumers), signing, OAuth and media rules
    'src/core/**/*.ts',
    // the one place that speaks HTTP to WeChat
    'src/transport/**/*.ts',
    // the store's time limits and reconnection, and the store of one instance
    'src/store/redis-guard.ts',
    'src/store/local-store.ts',
    // the edges that hold rules of their own: rate limits, sessions, the credential API, the signing routes
    'src/nest/rate-limit/**/*.ts',
    'src/nest/sessions/**/*.ts',
    'src/nest/oauth/user-mapping.ts',
    'src/nest/oauth/handoff-page.ts',
    'src/nest/credential-api/**/*.ts',
    'src/nest/jssdk/jssdk.routes.ts',
    // the service's configuration and its production refusals
    'src/service/config/**/*.ts',
    // media on disk, and the S3 store's ranges and failures
    'src/storage/local-disk-media.storage.ts',
    'src/storage/s3-bodies.ts',
    'src/storage/s3-failures.ts',
    // the pay ledger (PostgreSQL, its embedded twin, the in-memory one) and the pay module's edges
    'src/ledger/**/*.ts',
    'src/nest/pay/**/*.ts',
    'src/service/config/pay-settings.ts',
    '!src/**/*.spec.ts',
    // measured one file at a time (their mutants mostly make tests wait for a deadline)
    '!src/core/produce-once.ts',
    // types, OpenAPI descriptions and JSON schemas: data, not behaviour
    '!src/core/ports.ts',
    '!src/nest/credential-api/credential-api.openapi.ts',
    '!src/nest/credential-api/credential-api.schemas.ts',
    '!src/nest/pay/pay.schemas.ts',
    '!src/nest/pay/pay.module-definition.ts',
  ],

  // Messages and log lines are prose: their wording is not behaviour (the codes are, and are tested).
  mutator: { excludedMutations: ['StringLiteral'] },
  ignoreStatic: true,
  // the score of the first complete run (2026-12-04: 90.79 % of all valid mutants, 97.05 % of covered)
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // three: Stryker then runs two TypeScript checkers beside one test runner, which measured faster on two
  // cores than one of each (about 27 mutants a minute instead of 10-25 in the first stretch of a run)
  concurrency: 3,
  // A mutant that makes a test wait for a lock's or a request's deadline is a timeout (counted as caught);
  // five seconds over the tests' own time is enough to tell, and a longer wait only slows the run.
  timeoutMS: 5_000,
};
