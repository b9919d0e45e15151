// `npm start -- --secure`: credentials for every part of the local cluster, kept under
// `<data-dir>/secrets/` (directory 0700, files 0600; made on the first secure start, reused after):
//
//   nats-services.password      NATS user `services`      (dispatcher, JobManager, ResourceManager)
//   nats-taskmanagers.password  NATS user `taskmanagers`  (TaskManagers, for their slot workers too): only a
//                               TaskManager's subjects, the record exchange and the artifact and checkpoint buckets
//   nats-clients.password       NATS user `clients`       (@runnel/client, `--run`): publish only to the
//                               dispatcher's subjects and the artifact bucket, subscribe only to _INBOX.>
//   nats-server.conf            the private nats-server's configuration with those users (written at every start)
//   postgres.password           user postgres of the private Postgres (scram-sha-256; set by initdb on a fresh data dir)
//   rest-token                  the bearer token of every service's HTTP API (REST_AUTH_TOKEN_FILE)
//
// Only with the private NATS and Postgres this command starts: servers of one's own are configured
// by their owner (give the services NATS_USER/NATS_PASSWORD… and a DATABASE_URL with a password).

import { ClusterNamespace, natsCredentialsToEnv, type NatsCredentials } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnsureInfraOptions } from '../infra';
import { useRestToken } from './rest.client';

export const NATS_ROLES = ['services', 'taskmanagers', 'clients'] as const;
export type NatsRole = (typeof NATS_ROLES)[number];

export interface SecureCluster {
  readonly secretsDir: string;
  readonly restTokenFile: string;
  readonly natsConfigFile: string;
  /** The NATS user and password of each role. */
  readonly credentials: Readonly<Record<NatsRole, NatsCredentials>>;
  /** What ensureInfra needs: the NATS configuration, credentials to probe with, the Postgres password. */
  readonly infra: Pick<EnsureInfraOptions, 'natsConfigFile' | 'natsCredentials' | 'postgresPassword'>;
  /** The environment of a cluster member (by its local-cluster role) with its credentials. */
  envFor(role: string, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined>;
  /** Lines to show the user: where the secrets are and how a client uses them. */
  describe(defaultDataDir: boolean): string[];
}

export class SecureClusterError extends Error {
  readonly code = 'CLUSTER_SECURE_SETUP';
}

const SECRET_FILE_MODE = 0o600;
const SECRETS_DIR_MODE = 0o700;

/** Creates (or reuses) the secrets, writes the nats-server configuration, and makes the cluster's own REST calls send the token. */
export function prepareSecureCluster(dataDir: string, options: { readonly clusterId?: string } = {}): SecureCluster {
  const secretsDir = join(dataDir, 'secrets');
  mkdirSync(secretsDir, { recursive: true, mode: SECRETS_DIR_MODE });
  // mkdir leaves an existing directory's mode alone, and the umask may have narrowed a new one's.
  chmodSync(secretsDir, SECRETS_DIR_MODE);
  const secret = (name: string): string => {
    const file = join(secretsDir, name);
    if (existsSync(file)) {
      chmodSync(file, SECRET_FILE_MODE);
      const value = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{32,}$/.test(value)) {
        throw new SecureClusterError(`${file} does not hold a secret written by --secure (hex, at least 32 characters); delete it to have a new one made`);
      }
      return value;
    }
    const value = randomBytes(24).toString('hex');
    writeFileSync(file, `${value}\n`, { mode: SECRET_FILE_MODE, flag: 'wx' });
    chmodSync(file, SECRET_FILE_MODE);
    return value;
  };
  const credentials = Object.fromEntries(
    NATS_ROLES.map((role) => [role, { user: role, password: secret(`nats-${role}.password`) }]),
  ) as Record<NatsRole, NatsCredentials>;
  const postgresPassword = secret('postgres.password');
  const restTokenFile = join(secretsDir, 'rest-token');
  const restToken = secret('rest-token');
  const natsConfigFile = join(secretsDir, 'nats-server.conf');
  writeFileSync(natsConfigFile, natsServerConfig(credentials, ClusterNamespace.of(options.clusterId)), { mode: SECRET_FILE_MODE });
  chmodSync(natsConfigFile, SECRET_FILE_MODE);
  useRestToken(restToken);

  const envFor = (role: string, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> => {
    const nats = role === 'taskmanager' ? credentials.taskmanagers : credentials.services;
    return {
      ...env,
      ...natsCredentialsToEnv(nats),
      // The TaskManagers a process provider starts get the taskmanagers user, not the ResourceManager's.
      ...(role === 'resourcemanager' ? natsCredentialsToEnv(credentials.taskmanagers, 'TM_') : {}),
      REST_AUTH_TOKEN_FILE: restTokenFile,
    };
  };
  return {
    secretsDir,
    restTokenFile,
    natsConfigFile,
    credentials,
    infra: { natsConfigFile, natsCredentials: credentials.services, postgresPassword },
    envFor,
    describe: (defaultDataDir) => [
      `REST token: ${restTokenFile} (${defaultDataDir ? 'the CLI finds it by itself' : 'for the CLI: RUNNEL_TOKEN=$(cat <that file>) or --token'})`,
      `NATS users services, taskmanagers, clients and the Postgres password: ${secretsDir}/ (mode 0600)`,
      `@runnel/client: NATS_USER=clients NATS_PASSWORD=$(cat ${join(secretsDir, 'nats-clients.password')})`,
    ],
  };
}

/**
 * nats-server's `authorization` block, one user per role:
 *
 * - `services` may publish and subscribe anywhere (`>`): the dispatcher, JobManager and
 *   ResourceManager create and delete streams and buckets, run leader election in a KV bucket and
 *   call each other.
 * - `taskmanagers` only what a TaskManager does (for its slot workers too, which have no connection
 *   of their own): its RPC subjects, requests to the ResourceManager (registration, heartbeats) and
 *   the JobManager (task states, checkpoint acks), the data and credit subjects, durable consumers,
 *   the artifact bucket (read) and every job's checkpoint bucket (read and write, each job has
 *   its own), and replies on _INBOX. No KV (`$KV.>`), no stream creation or deletion, no writing
 *   or purging the artifact bucket or the legacy shared checkpoint bucket, no reading the
 *   leader-election bucket (a deny list), no purge, no message deletion. Checkpoint buckets are
 *   one token each (`runnel-chk-<job>`), so object writes are allowed on any bucket but those
 *   denied; a per-job user JWT (jobTaskManagerPermissions) narrows them to its job's.
 * - `clients` only what `@runnel/client` needs: requests to the dispatcher, and uploading an
 *   artifact into the Object Store bucket of artifacts (its chunks and metadata, and the JetStream
 *   API calls for that one stream, creating it included), with replies on their _INBOX.
 *
 * NATS wildcards match whole tokens, and a stream name is one token of the JetStream API subjects
 * (`$JS.API.CONSUMER.CREATE.<stream>.…`), so a shared `taskmanagers` user cannot be confined to
 * some data streams by a prefix: consumer calls are allowed on any stream here, and which data
 * stream and consumers a slot may use is checked by its TaskManager (slot-io.scope.ts). A job has
 * one data stream for all its attempts (`runnel-data-<job>`, consumers `a<attempt>-e<edge>-p<partition>`),
 * so a credential minted for one job can name its stream exactly.
 */
export function natsServerConfig(credentials: Readonly<Record<NatsRole, NatsCredentials>>, namespace: ClusterNamespace): string {
  const permissions = natsRolePermissions(namespace);
  const user = (role: NatsRole) => {
    const { publish, subscribe, publishDeny } = permissions[role];
    const deny = publishDeny?.length ? `, deny: ${list(publishDeny)}` : '';
    const rule = publish[0] === '>' && subscribe[0] === '>' ? '{ publish: ">", subscribe: ">" }' : `{ publish: { allow: ${list(publish)}${deny} }, subscribe: { allow: ${list(subscribe)} } }`;
    return `    { user: ${quote(credentials[role].user!)}, password: ${quote(credentials[role].password!)}, permissions: ${rule} }`;
  };
  const list = (subjects: readonly string[]) => `[${subjects.map(quote).join(', ')}]`;
  return [
    '# Written by `npm start -- --secure` at every start (from the passwords beside it); edits are lost.',
    'authorization {',
    '  users = [',
    ...NATS_ROLES.map(user),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** Subjects a role may publish and subscribe to: one source for the server config and for user JWTs (operator mode). */
export interface NatsRolePermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** Subjects denied although `publish` allows them (nats-server's and user JWTs' `deny`: it wins over allow). */
  readonly publishDeny?: readonly string[];
}

/** The permissions of each role (see natsServerConfig). */
/** The KV bucket of leader election (service-kit's LEADER_BUCKET; tools does not depend on service-kit). */
const LEADER_BUCKET = 'runnel-leaders';

export function natsRolePermissions(namespace: ClusterNamespace): Record<NatsRole, NatsRolePermissions> {
  const bucket = namespace.artifactBucket;
  const stream = `OBJ_${bucket}`;
  const objectReads = (s: string) => ['$JS.API.INFO', `$JS.API.STREAM.INFO.${s}`, `$JS.API.STREAM.MSG.GET.${s}`, `$JS.API.DIRECT.GET.${s}`, `$JS.API.DIRECT.GET.${s}.>`];
  const clientPublish = [
    namespace.subject('runnel.dispatcher.>'),
    ...objectReads(stream),
    // The first upload to a fresh cluster creates the bucket (the dispatcher creates it lazily).
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    `$O.${bucket}.>`,
  ];
  const legacyCheckpoints = namespace.legacyCheckpointBucket;
  const leaderStream = `KV_${namespace.jetStreamName(LEADER_BUCKET)}`;
  const taskManagerPublish = [
    ...['registerTaskExecutor', 'heartbeatFromTaskManager', 'disconnectTaskExecutor'].map((m) => namespace.subject(`runnel.resourcemanager.${m}`)),
    ...['updateTaskExecutionState', 'acknowledgeCheckpoint', 'declineCheckpoint', 'requestFinalCheckpoint'].map((m) => namespace.subject(`runnel.jobmanager.${m}`)),
    namespace.subject('runnel.data.>'),
    namespace.subject('runnel.credit.>'),
    '_INBOX.>',
    // Durable consumers of the data streams (2.9's CONSUMER.CREATE.<stream>.<name>.<filter> and the older forms), their pulls and acks.
    '$JS.API.CONSUMER.CREATE.*',
    '$JS.API.CONSUMER.CREATE.*.>',
    '$JS.API.CONSUMER.DURABLE.CREATE.*.*',
    '$JS.API.CONSUMER.INFO.*.*',
    '$JS.API.CONSUMER.MSG.NEXT.*.*',
    '$JS.ACK.>',
    '$JS.FC.>',
    // nats.js looks a stream up by subject (the Object Store's get does).
    '$JS.API.STREAM.NAMES',
    // Artifacts: read (ordered consumers, deleted when they restart). Checkpoint state: written and
    // read in the bucket of any job (`runnel-chk-<job>`, one token: NATS wildcards match whole
    // tokens, so these are allowed on any stream and bucket and the others denied below). The
    // JobManager creates the buckets: no STREAM.CREATE. No STREAM.PURGE either: on a token
    // wildcard it would reach every stream (KV buckets and data streams of other jobs and
    // clusters). nats.js purges only when a put replaces an object whose metadata was already
    // written (a write retried after its acknowledgement was lost); that checkpoint then fails
    // and the next one is taken. A per-job user may purge its own bucket.
    ...objectReads('*'),
    `$JS.API.CONSUMER.DELETE.*.*`,
    '$O.*.C.>',
    '$O.*.M.>',
  ];
  // What those wildcards would allow beyond checkpoint buckets and must not: writing the artifact
  // bucket or the shared checkpoint bucket of older versions (read only now), and reading the
  // leader-election bucket.
  const taskManagerDeny = [
    `$O.${bucket}.>`,
    `$O.${legacyCheckpoints}.>`,
    `$JS.API.STREAM.MSG.GET.${leaderStream}`,
    `$JS.API.DIRECT.GET.${leaderStream}`,
    `$JS.API.DIRECT.GET.${leaderStream}.>`,
  ];
  const taskManagerSubscribe = [namespace.subject('runnel.taskmanager.>'), namespace.subject('runnel.credit.>'), '_INBOX.>'];
  return {
    services: { publish: ['>'], subscribe: ['>'] },
    taskmanagers: { publish: taskManagerPublish, subscribe: taskManagerSubscribe, publishDeny: taskManagerDeny },
    clients: { publish: clientPublish, subscribe: ['_INBOX.>'] },
  };
}

function quote(value: string): string {
  if (!/^[A-Za-z0-9_.$>*-]+$/.test(value)) throw new SecureClusterError('a user, password or subject with characters the nats-server configuration cannot hold unquoted');
  return `"${value}"`;
}
