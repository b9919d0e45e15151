// Public surface of @runnel/tools for other projects (the e2e tests): the infra helpers and the
// independent reference implementations the tests compare results with.
export * from './infra';
export * from './reference';
export { natsRolePermissions, natsServerConfig, NATS_ROLES, type NatsRole, type NatsRolePermissions } from './cluster/secure-cluster.setup';
export { writeOperatorModeNats, writeRoleCreds, type OperatorModeNatsFiles } from './cluster/nats-operator.setup';
