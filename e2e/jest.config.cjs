// Cross-service tests: real service processes, a NATS server of each test's own, a database of
// each test's own on the Postgres named by RUNNEL_TEST_DATABASE_URL (default: local 5432).
//
// The 3-node NATS cluster spec is kept out of `npm test` until it passes reliably (see the
// README's test section): 8 of 8 runs passed after the lease and restart fixes, taking 74-158 s of
// its 170 s; one restarted twice (a 30 s slot I/O timeout). `npm run test:known-failing` runs it.
const KNOWN_FAILING = ['nats-cluster\\.e2e\\.spec\\.ts$'];

module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 120000,
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.RUNNEL_E2E_KNOWN_FAILING ? [] : KNOWN_FAILING)],
};
