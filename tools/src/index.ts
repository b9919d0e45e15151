// Public surface of @runnel/tools for other projects (the e2e tests): the infra helpers.
export * from './infra';
export { natsServerConfig, NATS_ROLES, type NatsRole } from './cluster/secure-cluster.setup';
