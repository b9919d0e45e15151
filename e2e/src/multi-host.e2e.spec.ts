/**
 * A cluster whose parts are on different hosts: NATS, Postgres, the control services and two
 * TaskManagers each in a network namespace of their own (support/network-hosts.ts), reachable
 * only at their own addresses on a private /24. Nothing listens on another host's 127.0.0.1, so a
 * service that assumed it would fail here. Each host has its own temp, data and log directories,
 * and there is no CHECKPOINT_DIR: checkpoint state must go through the JetStream Object Store.
 *
 * Nexmark q5 with checkpoints runs at parallelism 4 over 2 + 2 slots, so its keyed exchanges
 * cross hosts; one TaskManager host loses its process mid-job (SIGKILL) and gets a new one; the
 * job restores from the Object Store and its output must equal the independent reference.
 */
import { bundleJobArtifact, generateNexmarkEvents } from '@runnel/dataflow';
import { ClusterNamespace, JobIds } from '@runnel/protocol';
import { compareRows, createDatabase, databaseUrlFor, dropDatabase, referenceQ5, startNatsServer, startPostgres, type NatsServerHandle, type PostgresHandle, type RefEvent } from '@runnel/tools';
import { connect } from 'nats';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, NetworkHosts, startService, waitFor, type TestService } from './support';
import { readJsonLines } from './cluster/job-output';

const EXAMPLES = resolve(__dirname, '../../examples');
const DISPATCHER_PORT = 8081;
const TASK_MANAGERS = ['tm-0', 'tm-1'] as const;

interface JobDetails {
  state: string;
  vertices: { name: string; parallelism: number; subtasks: { 'taskmanager-id': string }[] }[];
}

describe('a cluster spread over five hosts (network namespaces)', () => {
  let hosts: NetworkHosts | undefined;
  let work: string;
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  let databaseName: string | undefined;
  const services: TestService[] = [];
  let url: string;

  /** Directories of one host only: nothing is shared between hosts but the job's output path. */
  function hostDirs(host: string): Record<string, string> {
    const dir = join(work, host);
    for (const sub of ['tmp', 'data', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
    return { TMPDIR: join(dir, 'tmp'), LOG_DIR: join(dir, 'logs'), TM_DATA_DIR: join(dir, 'data'), DISPATCHER_DATA_DIR: join(dir, 'data') };
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-hosts-'));
    hosts = NetworkHosts.create(['nats', 'postgres', 'control', ...TASK_MANAGERS]);
    const natsHost = hosts.host('nats');
    const pgHost = hosts.host('postgres');
    const control = hosts.host('control');
    // Standard ports: each host has its own port space.
    nats = await startNatsServer({ storeDir: join(work, 'nats', 'jetstream'), netns: natsHost.netns, host: natsHost.address, port: 4222 });
    postgres = await startPostgres({
      dataDir: join(work, 'postgres', 'data'),
      netns: pgHost.netns,
      host: pgHost.address,
      port: 5432,
      allowClients: hosts.cidr,
      ephemeral: true,
      log: () => undefined,
    });
    databaseName = 'runnel_hosts';
    await createDatabase(postgres.url, databaseName);
    const common = {
      NATS_URL: nats.url,
      DATABASE_URL: databaseUrlFor(postgres.url, databaseName),
      HEARTBEAT_INTERVAL_MS: '300',
      HEARTBEAT_TIMEOUT_MS: '3000',
      CHECKPOINT_DIR: undefined,
    };
    const controlEnv = { ...common, ...hostDirs('control'), HTTP_HOST: control.address };
    services.push(startService('resourcemanager', { ...controlEnv, HTTP_PORT: '0' }, 'resourcemanager', { netns: control.netns }));
    services.push(startService('jobmanager', { ...controlEnv, HTTP_PORT: '0' }, 'jobmanager', { netns: control.netns }));
    services.push(startService('dispatcher', { ...controlEnv, HTTP_PORT: String(DISPATCHER_PORT) }, 'dispatcher', { netns: control.netns }));
    for (const name of TASK_MANAGERS) {
      const host = hosts.host(name);
      // Bound to every interface of its host, advertised by its address there.
      const env = { ...common, ...hostDirs(name), HTTP_HOST: '0.0.0.0', HTTP_ADVERTISED_HOST: host.address, HTTP_PORT: '0', TM_SLOTS: '2', RESOURCE_ID: name };
      services.push(startService('taskmanager', env, name, { netns: host.netns }));
    }
    url = `http://${control.address}:${DISPATCHER_PORT}`;
    await waitFor(
      async () => {
        const { body } = await httpJson<{ taskmanagers: number; 'slots-available': number }>(`${url}/overview`).catch(() => ({ body: undefined }));
        return body?.taskmanagers === 2 && body['slots-available'] === 4;
      },
      { description: 'two TaskManagers on their own hosts with 4 free slots', timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    if (postgres && databaseName) await dropDatabase(postgres.url, databaseName).catch(() => undefined);
    await postgres?.stop();
    await nats?.stop();
    // Last, and whatever happened before: no namespace or bridge may outlive the test.
    hosts?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs q5 with checkpoints across the hosts, loses a TaskManager host, restores from the Object Store; output equals the reference', async () => {
    const events = { events: 400_000, rate: 2000, seed: 11 };
    const output = join(work, 'q5-out');
    const artifact = await bundleJobArtifact(join(EXAMPLES, 'nexmark-q5.ts'));
    const form = new FormData();
    form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
    const upload = await fetch(`${url}/jars/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
    const jar = (await upload.json()) as { id: string };
    expect(upload.status).toBe(200);
    const args = ['--events', String(events.events), '--rate', String(events.rate), '--seed', String(events.seed), '--checkpoint-interval', '500', '--output', `${output}/`];
    const run = await httpJson<{ jobid: string }>(`${url}/jars/${jar.id}/run`, { body: { programArgsList: args, parallelism: 4 }, timeoutMs: 60_000 });
    expect(run.status).toBe(200);
    const jobId = run.body.jobid;
    const checkpoints = async () => (await httpJson<{ counts: { completed: number; restored: number } }>(`${url}/jobs/${jobId}/checkpoints`)).body.counts;
    await waitFor(async () => (await checkpoints()).completed >= 1, { description: 'a first completed checkpoint', timeoutMs: 60_000 });

    // Its state is in the Object Store on the NATS host (no host has a checkpoint directory).
    const connection = await connect({ servers: nats!.url });
    try {
      const store = await connection.jetstream().views.os(ClusterNamespace.of().checkpointBucketOf(JobIds.parse(jobId)));
      expect((await store.list()).length).toBeGreaterThan(0);
    } finally {
      await connection.close();
    }

    // The host tm-0 loses its TaskManager; a new one starts there (a supervisor's job).
    const victim = services.find((s) => s.name === 'tm-0')!;
    expect((await victim.kill()).signal).toBe('SIGKILL');
    const host = hosts!.host('tm-0');
    const env = { NATS_URL: nats!.url, HEARTBEAT_INTERVAL_MS: '300', HEARTBEAT_TIMEOUT_MS: '3000', ...hostDirs('tm-0'), HTTP_HOST: '0.0.0.0', HTTP_ADVERTISED_HOST: host.address, HTTP_PORT: '0', TM_SLOTS: '2', RESOURCE_ID: 'tm-0-replacement' };
    services.push(startService('taskmanager', env, 'tm-0-replacement', { netns: host.netns }));

    const job = await waitFor(
      async () => {
        const { body } = await httpJson<JobDetails>(`${url}/jobs/${jobId}`);
        return ['FINISHED', 'FAILED', 'CANCELED'].includes(body.state) && body;
      },
      { description: `job ${jobId} to end`, timeoutMs: 180_000, intervalMs: 250 },
    );
    expect(job.state).toBe('FINISHED');
    expect((await checkpoints()).restored).toBeGreaterThanOrEqual(1);
    // The keyed stages ran on both hosts after the restore, so their exchanges crossed hosts.
    for (const name of ['Bids per Auction and Window', 'Hottest Auctions']) {
      const vertex = job.vertices.find((v) => v.name.includes(name))!;
      expect(vertex.parallelism).toBe(4);
      expect(new Set(vertex.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(['tm-0-replacement', 'tm-1']));
    }
    const expected = referenceQ5(generateNexmarkEvents(events) as unknown as RefEvent[]);
    expect(expected.length).toBeGreaterThan(5);
    const diff = compareRows(readJsonLines(output), expected);
    expect({ missing: diff.missing.slice(0, 5), unexpected: diff.unexpected.slice(0, 5) }).toEqual({ missing: [], unexpected: [] });
  }, 300_000);
});
