// Shared jest settings. Tests run against the libraries' sources (no build needed) and are
// transpiled only: type checking is the build's job, which keeps the suite fast on two cores.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
  },
  moduleNameMapper: {
    '^@runnel/(protocol|service-kit|dataflow|client)$': path.join(root, 'libs/$1/src/index.ts'),
    // The NATS credentials helper without the protocol's barrel (which loads NestJS): for dataflow and the CLI.
    '^@runnel/protocol/nats-connect-options$': path.join(root, 'libs/protocol/src/transport/nats-connect-options.ts'),
    // What a slot worker needs at run time, without the barrel (see slot-runtime.ts).
    '^@runnel/protocol/slot-runtime$': path.join(root, 'libs/protocol/src/slot-runtime.ts'),
    '^@runnel/tools$': path.join(root, 'tools/src/index.ts'),
  },
  testMatch: ['**/*.spec.ts'],
  setupFiles: [path.join(root, 'jest.setup.cjs')],
  passWithNoTests: true,
};
