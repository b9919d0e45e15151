// Cross-service tests: real service processes, a NATS server of each test's own, a database of
// each test's own on the Postgres named by RUNNEL_TEST_DATABASE_URL (default: local 5432).

module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 120000,
  testPathIgnorePatterns: ['/node_modules/'],
};
