// Public surface of @runnel/tools for other projects (the e2e tests): the infra helpers and the
// independent reference implementations (expected answers).
export * from './infra';
export * from './reference';
