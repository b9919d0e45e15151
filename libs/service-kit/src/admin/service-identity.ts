/** Who this process is: what `/info` and the logs say about it. */
import { DEFAULT_CLUSTER_ID, type NatsCredentials } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { NatsCredentialSettings, natsCredentialsOf } from '../config/nats-credentials.settings';

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  readonly service: 'dispatcher' | 'jobmanager' | 'resourcemanager' | 'taskmanager';
  readonly id: string;
  readonly version: string;
  readonly natsUrl: string;
  /**
   * Its NATS credentials and TLS (NATS_USER, …). Not enumerable: never in JSON, logs or /info.
   */
  readonly natsCredentials?: NatsCredentials;
  /** The cluster it belongs to (CLUSTER_ID); absent means the default cluster. */
  readonly clusterId?: string;
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

/**
 * The identity of a process about to start: a fresh id (`<prefix>-<12 hex>`, or the one given, for
 * TaskManagers), the version of the package next to `dirname`.
 */
export function newServiceIdentity(
  service: ServiceIdentity['service'],
  dirname: string,
  settings: { natsUrl: string; clusterId?: string } & Partial<NatsCredentialSettings>,
  options: { prefix?: string; id?: string; database: boolean },
): ServiceIdentity {
  const identity: ServiceIdentity = {
    service,
    id: options.id ?? `${options.prefix ?? service}-${randomBytes(6).toString('hex')}`,
    version: packageVersion(dirname),
    natsUrl: settings.natsUrl,
    clusterId: settings.clusterId ?? DEFAULT_CLUSTER_ID,
    startedAt: Date.now(),
    database: options.database,
  };
  return Object.defineProperty(identity, 'natsCredentials', { value: natsCredentialsOf(settings), enumerable: false });
}
