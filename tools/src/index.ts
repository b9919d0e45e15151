// Public surface of @runnel/tools for other projects (the e2e tests): the infra helpers.
export * from './infra';
