// Helpers for cross-service tests: private NATS, a fresh database, service processes, HTTP,
// and process-tree checks. Built on the infra module of @runnel/tools.

export * from './test-nats';
export * from './test-database';
export * from './test-service';
export * from './http-json';
export * from './network-hosts';
export { descendantPids, findFreePort, isProcessAlive, waitFor } from '@runnel/tools';
