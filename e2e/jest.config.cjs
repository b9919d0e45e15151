// Cross-service tests: real service processes, a NATS server of each test's own, a database of
// each test's own on the Postgres named by RUNNEL_TEST_DATABASE_URL (default: local 5432).
//
// A spec that fails for a known reason is kept out of `npm test` here until it is fixed
// (`RUNNEL_E2E_KNOWN_FAILING=1 npx jest -c e2e/jest.config.cjs --runInBand <file>` runs it).
const KNOWN_FAILING = [];

module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 120000,
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.RUNNEL_E2E_KNOWN_FAILING ? [] : KNOWN_FAILING)],
};
