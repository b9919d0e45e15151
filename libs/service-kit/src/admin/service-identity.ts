/** Who this process is: what `/info` and the logs say about it. */
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  readonly service: 'dispatcher' | 'jobmanager' | 'resourcemanager' | 'taskmanager';
  readonly id: string;
  readonly version: string;
  readonly natsUrl: string;
  readonly startedAt: number;
  /** Whether this service holds a Postgres connection (then /health checks it). */
  readonly database: boolean;
}

/** The version in the package.json next to a service's src/ or dist/ folder. */
export function packageVersion(dirname: string): string {
  return (require(require('node:path').join(dirname, '..', 'package.json')) as { version: string }).version;
}

/** The `info` reply every service gives over NATS. */
export function serviceInfo(identity: ServiceIdentity) {
  return { service: identity.service, id: identity.id, version: identity.version, uptimeMs: Date.now() - identity.startedAt, pid: process.pid };
}
