/** Independent reference implementations of the example jobs: expected answers and bench baselines. */
export * from './reference.types';
export * from './nexmark-stateless.reference';
export * from './nexmark-join.reference';
export * from './nexmark-window.reference';
export * from './nexmark-lateness.reference';
export * from './word-count.reference';
export * from './rows.compare';
export * from './json-lines.read';
