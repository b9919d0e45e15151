/** Settings every service has. Each service's settings class extends this one. */
import { ClusterNamespace, clusterIdProblem, DEFAULT_CLUSTER_ID } from '@runnel/protocol';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { Setting } from './setting.decorator';
import { NatsCredentialSettings } from './nats-credentials.settings';
import { DEFAULT_LEADER_LEASE_MS } from '../leadership/nats-kv-leader-election';

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

/** The admin port setting, redeclared by each service with its own default port. */
export const HttpPortSetting = (defaultPort: number | undefined) =>
  Setting({ env: 'HTTP_PORT', flag: 'port', default: defaultPort, type: 'number', description: 'port of the admin HTTP endpoint (0 = any free port)' });

/** Refuses what ClusterNamespace refuses, saying why. */
const IsClusterId = () =>
  ValidateBy({
    name: 'isClusterId',
    validator: {
      validate: (value: unknown) => clusterIdProblem(value) === undefined,
      defaultMessage: (args) => `${clusterIdProblem(args?.value)}`,
    },
  });

// NATS credentials and TLS (NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS, NATS_TLS_*): nats-credentials.settings.ts.
export class ServiceSettings extends NatsCredentialSettings {
  @Setting({
    env: 'CLUSTER_ID',
    flag: 'cluster-id',
    default: DEFAULT_CLUSTER_ID,
    description: 'namespace of this cluster in the NATS and Postgres it shares with other clusters (subjects, streams, buckets, the default database)',
  })
  @IsClusterId()
  clusterId!: string;

  @Setting({ env: 'NATS_URL', flag: 'nats-url', default: 'nats://127.0.0.1:4222', description: 'NATS server(s), comma-separated' })
  @Matches(/^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/, { message: 'must be nats://host:port (comma-separated for several)' })
  natsUrl!: string;

  @Setting({
    env: 'JETSTREAM_REPLICAS',
    flag: 'jetstream-replicas',
    default: 1,
    type: 'number',
    description: 'copies JetStream keeps of each stream, KV bucket and object store Runnel creates (1 on one nats-server; 3 on a 3-node cluster)',
  })
  @IsInt({ message: 'must be a whole number' }) @Min(1) @Max(5)
  jetStreamReplicas!: number;

  @Setting({ env: 'HTTP_HOST', flag: 'host', default: '127.0.0.1', description: 'interface of the admin HTTP endpoint' })
  @IsString()
  httpHost!: string;

  @HttpPortSetting(undefined)
  @IsInt({ message: 'must be a whole number' }) @Min(0) @Max(65535)
  httpPort!: number;

  // HTTP security (see http/rest-access.policy.ts); the files and tokens are checked in http/rest-security.config.ts.
  @Setting({ env: 'HTTP_ADVERTISED_HOST', flag: 'http-advertised-host', description: 'the name others reach the HTTP endpoint by (accepted as Host; used in the service URL)' })
  @IsOptional() @IsString()
  httpAdvertisedHost?: string;

  @Setting({ env: 'ALLOWED_HOSTS', flag: 'allowed-hosts', description: 'more names accepted in the Host header, comma-separated (* = any); localhost, IP addresses, HTTP_HOST and HTTP_ADVERTISED_HOST always are' })
  @IsOptional() @IsString()
  allowedHosts?: string;

  @Setting({ env: 'REST_AUTH_TOKEN', flag: 'rest-auth-token', secret: true, description: 'bearer token every HTTP API call must send (Authorization: Bearer <token>); unset = none needed' })
  @IsOptional() @IsString()
  restAuthToken?: string;

  @Setting({ env: 'REST_AUTH_TOKEN_FILE', flag: 'rest-auth-token-file', description: 'file holding REST_AUTH_TOKEN (its contents, trimmed)' })
  @IsOptional() @IsString()
  restAuthTokenFile?: string;

  @Setting({ env: 'REST_READ_TOKENS', flag: 'rest-read-tokens', secret: true, description: 'read-only bearer tokens, comma-separated: GET/HEAD and the POSTs that change nothing' })
  @IsOptional() @IsString()
  restReadTokens?: string;

  @Setting({ env: 'HTTP_TLS_CERT', flag: 'http-tls-cert', description: 'PEM certificate (chain) file: serve HTTPS, with HTTP_TLS_KEY' })
  @IsOptional() @IsString()
  httpTlsCert?: string;

  @Setting({ env: 'HTTP_TLS_KEY', flag: 'http-tls-key', description: 'PEM private key file of HTTP_TLS_CERT' })
  @IsOptional() @IsString()
  httpTlsKey?: string;

  @Setting({ env: 'LOG_LEVEL', flag: 'log-level', default: 'info', description: `one of ${LogLevels.join(', ')}` })
  @IsIn(LogLevels)
  logLevel!: LogLevel;

  @Setting({
    env: 'LEADER_LEASE_MS',
    flag: 'leader-lease',
    // Longer than a JetStream stream-leader election on a NATS cluster plus a renewal interval
    // (lease/6) and the margin (lease/10): a leader rides out losing a NATS node (see the constant).
    default: DEFAULT_LEADER_LEASE_MS,
    description: 'leader election lease (ms) of dispatcher, jobmanager and resourcemanager: a standby replaces a leader silent this long; a leader whose NATS KV is unavailable keeps leading until 0.9 of it has passed since its last renewal',
  })
  @IsInt({ message: 'must be a whole number' }) @Min(300) @Max(600_000)
  leaderLeaseMs!: number;

  @Setting({ env: 'LOG_DIR', flag: 'log-dir', description: "directory of this service's log files, served by the REST API (/jobmanager/logs, /taskmanagers/:id/logs); unset: no log files (the local cluster sets <data dir>/logs)" })
  @IsOptional() @IsString()
  logDir?: string;

  @Setting({ env: 'LOG_NAME', flag: 'log-name', description: "base name of this service's files in LOG_DIR (<name>.log, a TaskManager's user-code output <name>.out); default: the service (taskmanager-<resource id> for a TaskManager)" })
  @IsOptional() @Matches(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}$/, { message: 'must be letters, digits, ".", "_" or "-" (no directory)' })
  logName?: string;

  @Setting({ env: 'LOG_TO_FILE', flag: 'log-to-file', default: true, type: 'boolean', description: 'with LOG_DIR: write the log lines to <LOG_DIR>/<LOG_NAME>.log as well as to stdout (false when whoever starts the service writes its output there, as the local cluster does)' })
  @IsBoolean()
  logToFile!: boolean;

  @Setting({ env: 'RUNNEL_PARENT_PID', flag: 'parent-pid', description: 'exit when this process is gone (set by the local cluster)' })
  @IsOptional() @IsInt() @Min(1)
  parentPid?: number;
}

/** The DATABASE_URL default: database `runnel`, or `runnel_<id>` for another CLUSTER_ID. */
export function defaultDatabaseUrl(clusterId: unknown): string {
  const namespace = clusterIdProblem(clusterId) === undefined ? ClusterNamespace.of(clusterId as string) : ClusterNamespace.DEFAULT;
  return `postgres://postgres@127.0.0.1:5432/${namespace.databaseName()}`;
}

export class DatabaseSettings extends ServiceSettings {
  @Setting({
    env: 'DATABASE_URL',
    flag: 'database-url',
    default: (read) => defaultDatabaseUrl(read['clusterId']),
    description: 'Postgres connection URL (by default the database is runnel, or runnel_<CLUSTER_ID> for another cluster id)',
  })
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be postgres://user[:password]@host[:port]/database' })
  databaseUrl!: string;
}
