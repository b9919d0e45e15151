/**
 * Runnel's programmatic client, over NATS: everything the dispatcher's REST API does, typed, for
 * programs that drive a cluster (submit a job, follow it, list and cancel jobs, await a result).
 *
 * ```ts
 * const client = await RunnelClient.connect('nats://127.0.0.1:4222');
 * const jobId = await client.submit('jobs/word-count.ts', { programArgs: ['--input', 'words.txt'], parallelism: 4 });
 * const result = await client.awaitResult(jobId);   // FINISHED, or throws JobFailedError with the root cause
 * await client.close();
 * ```
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import {
  ArtifactStore, ClusterNamespace, DispatcherGateway, JobId, JobIds, JobStatus, NatsRpcClient, RunnelError, TERMINAL_JOB_STATUSES, dispatcherGateway,
} from '@runnel/protocol';
import { type NatsCredentials, explainNatsConnectError, natsConnectOptions, natsCredentialsFromEnv, natsServers } from '@runnel/protocol';
import { NatsConnection, connect } from 'nats';
import { JobFailedError, JobWaitTimeoutError } from './client.errors';

export interface SubmitOptions {
  readonly programArgs?: string[];
  readonly parallelism?: number;
  /** The artifact's name in listings (default: the file name). */
  readonly name?: string;
  /** `per-job`: TaskManagers started for this job alone (the cluster needs a resource provider). */
  readonly target?: 'session' | 'per-job';
}

export interface AwaitOptions {
  /** Give up after this long (default: wait forever). */
  readonly timeoutMs?: number;
  /** How often to ask for the job's state (default 250 ms). */
  readonly pollMs?: number;
  /** Called with each new state. */
  readonly onState?: (state: JobStatus) => void;
}

export interface JobResult {
  readonly jobId: JobId;
  readonly state: JobStatus;
  readonly durationMs: number;
}

export interface ConnectOptions {
  /** Default timeout of a call (ms, default 30000). */
  readonly timeoutMs?: number;
  /** The cluster to drive on this NATS (its CLUSTER_ID); default the CLUSTER_ID variable, else `default`. */
  readonly clusterId?: string;
  /**
   * NATS credentials and TLS (user/password, token, nkey seed file, .creds file, CA/cert/key);
   * default: the NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS and
   * NATS_TLS_* variables. Credentials NATS refuses reject with a NatsCredentialsError.
   */
  readonly credentials?: NatsCredentials;
}

export class RunnelClient {
  readonly dispatcher: DispatcherGateway;
  private readonly artifacts: ArtifactStore;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly ownsConnection: boolean,
    timeoutMs: number,
    namespace: ClusterNamespace,
  ) {
    this.dispatcher = dispatcherGateway(new NatsRpcClient(connection, { timeoutMs, namespace }));
    this.artifacts = new ArtifactStore(connection, namespace);
  }

  static async connect(servers: string | NatsConnection = 'nats://127.0.0.1:4222', options: ConnectOptions = {}): Promise<RunnelClient> {
    // Checked before connecting: a wrong cluster id fails at once, saying why.
    const namespace = ClusterNamespace.of(options.clusterId ?? (process.env['CLUSTER_ID'] || undefined));
    if (typeof servers !== 'string') return new RunnelClient(servers, false, options.timeoutMs ?? 30_000, namespace);
    const credentials = options.credentials ?? natsCredentialsFromEnv(process.env);
    const connection = await connect({ ...natsConnectOptions(credentials), servers: natsServers(servers), name: 'runnel-client', noAsyncTraces: true }).catch((error: unknown) => {
      throw explainNatsConnectError(error, credentials);
    });
    return new RunnelClient(connection, true, options.timeoutMs ?? 30_000, namespace);
  }

  /** Stores an artifact (a job file to bundle, or an artifact's bytes) and returns its jar id. */
  async upload(job: string | Uint8Array, name?: string): Promise<string> {
    const artifact = typeof job === 'string' ? await bundleJobArtifact(job) : { bytes: job, filename: name ?? 'job.mjs' };
    const stored = await this.artifacts.put(artifact.bytes, name ?? artifact.filename);
    // The dispatcher checks it (loads it, builds its graph) and removes it again if it is broken.
    await this.dispatcher.registerJar({ jarId: stored.id, name: stored.name });
    return stored.id;
  }

  /** Uploads (when given a file or bytes) and runs a job; returns its id at once. */
  async submit(job: string | Uint8Array, options: SubmitOptions = {}): Promise<JobId> {
    const jarId = typeof job === 'string' && /^[0-9a-f]{64}$/.test(job) ? job : await this.upload(job, options.name);
    const { jobId } = await this.dispatcher.runJar({
      jarId,
      programArgs: options.programArgs ?? [],
      ...(options.parallelism ? { parallelism: options.parallelism } : {}),
      ...(options.target ? { target: options.target } : {}),
    });
    return JobIds.parse(jobId);
  }

  status(jobId: JobId) {
    return this.dispatcher.getJob({ jobId });
  }

  async list() {
    return (await this.dispatcher.listJobs({})).jobs;
  }

  async cancel(jobId: JobId): Promise<void> {
    await this.dispatcher.cancelJob({ jobId });
  }

  checkpoints(jobId: JobId) {
    return this.dispatcher.getCheckpoints({ jobId });
  }

  exceptions(jobId: JobId) {
    return this.dispatcher.getJobExceptions({ jobId });
  }

  /** Waits until the job ends: resolves when it FINISHED or was CANCELED, throws when it FAILED. */
  async awaitResult(jobId: JobId, options: AwaitOptions = {}): Promise<JobResult> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let last: JobStatus | undefined;
    for (;;) {
      const job = await this.status(jobId);
      if (job.state !== last) options.onState?.((last = job.state));
      if (TERMINAL_JOB_STATUSES.includes(job.state)) {
        if (job.state === 'FAILED') {
          const exceptions = await this.exceptions(jobId).catch(() => undefined);
          throw new JobFailedError(jobId, exceptions?.['root-exception'] ?? 'unknown cause');
        }
        return { jobId: JobIds.parse(jobId), state: job.state, durationMs: job.duration };
      }
      if (Date.now() >= deadline) {
        const tasks = job.vertices.map((v) => `${String(v.name)}: ${String(v.status)}`).join(', ');
        throw new JobWaitTimeoutError(jobId, options.timeoutMs!, `${job.state} (${tasks})`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.drain();
  }
}

export { RunnelError };
