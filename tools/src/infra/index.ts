// Local infrastructure for development, CI and e2e tests: start and probe NATS and Postgres,
// manage databases, and run services as supervised child processes.

export * from './infra.errors';
export * from './free-port.util';
export * from './wait-for.util';
export * from './reachability.util';
export * from './executable.util';
export * from './managed-process.util';
export * from './log-line.format';
export * from './nats-server.launcher';
export * from './postgres-reachability.util';
export * from './postgres-relocation.util';
export * from './postgres-binaries.util';
export * from './postgres.launcher';
export * from './database.admin';
export * from './proc.util';
export * from './pid-file.util';
export * from './ensure-infra.service';
export * from './service.launcher';
