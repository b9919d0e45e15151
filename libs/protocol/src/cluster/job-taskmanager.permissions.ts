/**
 * What a TaskManager started for one job (a per-job deployment) may do on NATS: the permissions of
 * the user the ResourceManager mints for it in operator (JWT) mode. They name that job alone:
 *
 * - its own RPC subjects (`runnel.taskmanager.<resource id>.>`) and the requests every TaskManager
 *   makes to the ResourceManager (registration, heartbeats) and the JobManager (task states,
 *   checkpoint acknowledgements);
 * - the job's data and credit subjects (`runnel.data.<job>.>`, `runnel.credit.<job>.>`: the job id
 *   is a whole token, so a wildcard after it covers every attempt and nothing of another job);
 * - consumers, pulls and acks on the job's one data stream (a stream name is one token of the
 *   JetStream API subjects, which is why a job has one stream for all its attempts);
 * - its job's checkpoint bucket (read and write), the buckets of the jobs it restores from (read);
 * - artifacts: read. Objects there are named by their sha256 and read through one stream, so reads
 *   cannot be confined to one job's artifact; a per-job TaskManager can read other jobs' code, not
 *   their records or state;
 * - replies only to requests it received (`resp`, NATS' allow_responses), and inboxes under
 *   `_INBOX_<resource id>` (NATS_INBOX_PREFIX), a first token of its own: users allowed `_INBOX.>`
 *   (the shared `taskmanagers` and `clients` roles) do not see the replies it gets, its pulled
 *   records among them.
 *
 * Everything else is refused by the server: another job's subjects, streams and buckets, KV (the
 * leader keys), stream creation and deletion, the dispatcher.
 */
import type { JobId, ResourceId } from '../ids/ids';
import type { ClusterNamespace } from './cluster-namespace';

export interface JobTaskManagerIdentity {
  readonly namespace: ClusterNamespace;
  readonly jobId: JobId;
  readonly resourceId: ResourceId;
  /** Jobs whose checkpoint state this job's tasks may read on restore (a savepoint://<job>/<n> it started from). */
  readonly restoresFrom?: readonly JobId[];
}

export interface JobTaskManagerPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** NATS_INBOX_PREFIX the TaskManager must connect with. */
  readonly inboxPrefix: string;
}

/**
 * A user JWT travels in the CONNECT line, which nats-server caps at 4096 bytes by default
 * (max_control_line): the subjects are written with token wildcards wherever the job-specific
 * token still pins them (`$JS.API.CONSUMER.*.<stream>.>` covers create, info and delete of that
 * stream's consumers and nothing of another stream), and the minter refuses a JWT that would not fit.
 */
export function jobTaskManagerPermissions(identity: JobTaskManagerIdentity): JobTaskManagerPermissions {
  const { namespace, jobId, resourceId } = identity;
  const stream = namespace.data.stream(jobId);
  const objectStream = (bucket: string) => `OBJ_${bucket}`;
  // Object reads: the stream's info, its metadata by subject (nats.js' Object Store uses STREAM.MSG.GET), and ordered
  // consumers (flow-controlled push consumers, deleted when done) for the chunks.
  const objectReads = (s: string) => [`$JS.API.STREAM.INFO.${s}`, `$JS.API.STREAM.MSG.GET.${s}`, `$JS.API.CONSUMER.*.${s}`, `$JS.API.CONSUMER.*.${s}.>`, `$JS.FC.${s}.>`];
  const artifacts = objectStream(namespace.artifactBucket);
  const ownBucket = namespace.checkpointBucketOf(jobId);
  const restored = [...new Set(identity.restoresFrom ?? [])].filter((other) => other !== jobId).map((other) => objectStream(namespace.checkpointBucketOf(other)));
  const publish = [
    ...['registerTaskExecutor', 'heartbeatFromTaskManager', 'disconnectTaskExecutor'].map((m) => namespace.subject(`runnel.resourcemanager.${m}`)),
    ...['updateTaskExecutionState', 'acknowledgeCheckpoint', 'declineCheckpoint', 'requestFinalCheckpoint'].map((m) => namespace.subject(`runnel.jobmanager.${m}`)),
    namespace.subject(`runnel.data.${jobId}.>`),
    namespace.subject(`runnel.credit.${jobId}.>`),
    // jetstreamManager() asks for the account's JetStream info first; nats.js finds an Object Store's stream by subject (names only).
    '$JS.API.INFO',
    '$JS.API.STREAM.NAMES',
    // The data stream: consumers (CREATE.<stream>[.<name>.<filter>], INFO/DELETE.<stream>.<name>,
    // DURABLE.CREATE and MSG.NEXT.<stream>.<name>), and acks and flow control ($JS.ACK/FC.<stream>.…).
    `$JS.API.CONSUMER.*.${stream}`,
    `$JS.API.CONSUMER.*.${stream}.>`,
    `$JS.API.CONSUMER.*.*.${stream}.*`,
    `$JS.*.${stream}.>`,
    ...objectReads(artifacts),
    ...objectReads(objectStream(ownBucket)),
    // A retried put of the same object replaces it: nats.js purges the old chunks.
    `$JS.API.STREAM.PURGE.${objectStream(ownBucket)}`,
    `$O.${ownBucket}.>`,
    ...restored.flatMap(objectReads),
  ];
  const inboxPrefix = `_INBOX_${resourceId}`;
  const subscribe = [namespace.subject(`runnel.taskmanager.${resourceId}.>`), namespace.subject(`runnel.credit.${jobId}.>`), `${inboxPrefix}.>`];
  return { publish, subscribe, inboxPrefix };
}
