/**
 * A whole Runnel cluster of real processes for a test: its own NATS server, its own database,
 * ResourceManager, JobManager, dispatcher and TaskManagers; plus the REST calls tests make on it.
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { TestDatabase, TestNats, TestService, createTestDatabase, findFreePort, httpJson, startService, startTestNats, waitFor } from '../support';
import { JobIds, type JobId } from '@runnel/protocol';

export interface TestClusterOptions {
  readonly taskManagers: number;
  readonly slots: number;
  readonly env?: Record<string, string>;
  /** Use this NATS server instead of starting one (tests that restart NATS themselves). */
  readonly nats?: { readonly url: string };
  /** More environment for the TaskManagers only (e.g. NATS credentials of their own). */
  readonly taskManagerEnv?: Record<string, string>;
  /** REST_AUTH_TOKEN of every service; the cluster's own REST calls send it. */
  readonly restToken?: string;
  /** Create the cluster's database on this Postgres (an admin URL) instead of the shared test one. */
  readonly databaseAdminUrl?: string;
}

export interface JobDetails {
  jid: string;
  state: string;
  statusMessage?: string;
  vertices: { id: string; name: string; parallelism: number; status: string; metrics: Record<string, number>; subtasks: { 'taskmanager-id': string }[] }[];
}

export class TestCluster {
  /** Every process started (control services and TaskManagers), for tests that check none exited. */
  readonly services: TestService[] = [];
  readonly taskManagers = new Map<string, TestService>();
  env!: Record<string, string>;
  private taskManagerEnv: Record<string, string> = {};
  url!: string;
  jobManagerUrl!: string;
  nats!: Pick<TestNats, 'url'> & Partial<Pick<TestNats, 'stop'>>;
  db!: TestDatabase;
  /** Sent by the cluster's own REST calls when the services have REST_AUTH_TOKEN. */
  restToken?: string;

  static async start(options: TestClusterOptions): Promise<TestCluster> {
    const cluster = new TestCluster();
    await cluster.boot(options);
    return cluster;
  }

  private async boot(options: TestClusterOptions): Promise<void> {
    this.nats = options.nats ?? (await startTestNats());
    this.db = await createTestDatabase(undefined, options.databaseAdminUrl);
    this.restToken = options.restToken;
    this.env = {
      NATS_URL: this.nats.url,
      DATABASE_URL: this.db.url,
      HEARTBEAT_INTERVAL_MS: '300',
      HEARTBEAT_TIMEOUT_MS: '3000',
      ...(options.restToken ? { REST_AUTH_TOKEN: options.restToken } : {}),
      ...options.env,
    };
    this.taskManagerEnv = options.taskManagerEnv ?? {};
    const port = await findFreePort();
    this.url = `http://127.0.0.1:${port}`;
    this.start('resourcemanager', { HTTP_PORT: '0' });
    // A known port: tests scrape the JobManager's /metrics (Prometheus).
    const jobManagerPort = await findFreePort();
    this.jobManagerUrl = `http://127.0.0.1:${jobManagerPort}`;
    this.start('jobmanager', { HTTP_PORT: String(jobManagerPort) });
    this.start('dispatcher', { HTTP_PORT: String(port) });
    for (let i = 0; i < options.taskManagers; i++) this.startTaskManager(`tm-${i}`, options.slots);
    await this.waitForSlots(options.taskManagers, options.taskManagers * options.slots);
  }

  start(service: Parameters<typeof startService>[0], env: Record<string, string>, name: string = service): TestService {
    const s = startService(service, { ...this.env, ...env }, name);
    this.services.push(s);
    return s;
  }

  startTaskManager(resourceId: string, slots: number): TestService {
    const tm = this.start('taskmanager', { ...this.taskManagerEnv, HTTP_PORT: '0', TM_SLOTS: String(slots), RESOURCE_ID: resourceId }, resourceId);
    this.taskManagers.set(resourceId, tm);
    return tm;
  }

  waitForSlots(taskManagers: number, slots: number): Promise<unknown> {
    return waitFor(
      async () => {
        const { body } = await httpJson<{ taskmanagers: number; 'slots-available': number }>(`${this.url}/overview`, { token: this.restToken });
        return body.taskmanagers === taskManagers && body['slots-available'] === slots;
      },
      { description: `${taskManagers} TaskManagers with ${slots} free slots`, timeoutMs: 30_000 },
    );
  }

  async upload(bytes: Uint8Array, filename: string): Promise<{ status: number; body: { id?: string; filename?: string; errors?: string[]; code?: string } }> {
    const form = new FormData();
    form.append('jarfile', new Blob([bytes]), filename);
    const headers = this.restToken ? { authorization: `Bearer ${this.restToken}` } : undefined;
    const response = await fetch(`${this.url}/jars/upload`, { method: 'POST', body: form, headers, signal: AbortSignal.timeout(60_000) });
    return { status: response.status, body: (await response.json()) as { id?: string; filename?: string; errors?: string[]; code?: string } };
  }

  async uploadJob(entry: string): Promise<string> {
    const artifact = await bundleJobArtifact(entry);
    const { status, body } = await this.upload(artifact.bytes, artifact.filename);
    if (status !== 200 || !body.id) throw new Error(`upload of ${entry} failed (${status}): ${JSON.stringify(body)}`);
    return body.id;
  }

  async run(jarId: string, programArgsList: string[], parallelism?: number, options: { readonly target?: 'session' | 'per-job' } = {}): Promise<JobId> {
    const { status, body } = await httpJson<{ jobid?: string }>(`${this.url}/jars/${jarId}/run`, {
      body: { programArgsList, ...(parallelism ? { parallelism } : {}), ...(options.target ? { target: options.target } : {}) },
      timeoutMs: 60_000,
      token: this.restToken,
    });
    if (status !== 200 || !body.jobid) throw new Error(`run failed (${status}): ${JSON.stringify(body)}`);
    return JobIds.parse(body.jobid);
  }

  /** The registered TaskManagers as the dispatcher lists them. */
  async taskManagerList(): Promise<{ id: string; pid: number; dedicatedTo?: string }[]> {
    return (await httpJson<{ taskmanagers: { id: string; pid: number; dedicatedTo?: string }[] }>(`${this.url}/taskmanagers`, { token: this.restToken })).body.taskmanagers;
  }

  async job(jobId: string): Promise<JobDetails> {
    return (await httpJson<JobDetails>(`${this.url}/jobs/${jobId}`, { token: this.restToken })).body;
  }

  waitForJob(jobId: string, states: readonly string[], timeoutMs = 120_000): Promise<JobDetails> {
    return waitFor(
      async () => {
        const job = await this.job(jobId);
        return states.includes(job.state) && job;
      },
      { description: `job ${jobId} to reach ${states.join(' or ')}`, timeoutMs, intervalMs: 200 },
    );
  }

  /** Waits for the job to end and fails, naming its exceptions (first lines), unless it FINISHED. */
  async expectFinished(jobId: string, timeoutMs = 120_000): Promise<JobDetails> {
    const job = await this.waitForJob(jobId, ['FINISHED', 'FAILED', 'CANCELED'], timeoutMs);
    if (job.state === 'FINISHED') return job;
    const { body } = await httpJson<{ 'all-exceptions'?: { exception: string }[] }>(`${this.url}/jobs/${jobId}/exceptions`, { token: this.restToken });
    const causes = (body['all-exceptions'] ?? []).map((e) => e.exception.split('\n')[0]);
    throw new Error(`job ${jobId} ended ${job.state}, not FINISHED; its exceptions: ${JSON.stringify(causes)}`);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.services.map((s) => s.stop()));
    await this.nats?.stop?.();
    await this.db?.drop();
  }
}
