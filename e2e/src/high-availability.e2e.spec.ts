/**
 * High availability with real processes: two ResourceManagers, two JobManagers and two
 * dispatchers elect a leader each (NATS KV); SIGKILLing a leader makes its standby take over —
 * TaskManagers register with the new ResourceManager, the new JobManager recovers the running jobs
 * from the job store and their latest checkpoint. Output is compared with a plain-loop computation,
 * so a lost or doubled record fails the test. Prints the measured failover times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { RunnelClient } from '@runnel/client';
import { bundleJobArtifact } from '@runnel/dataflow';
import {
  createTestDatabase, findFreePort, httpJson, startService, startTestNats, waitFor,
  type TestDatabase, type TestNats, type TestService,
} from './support';
import { canonicalRows, readJsonLines, rollingSums } from './cluster/job-output';

const FIXTURES = resolve(__dirname, 'fixtures');
const LEASE_MS = 3000;

type ControlService = 'resourcemanager' | 'jobmanager' | 'dispatcher';

interface Instance {
  readonly service: ControlService;
  readonly name: string;
  readonly url: string;
  readonly process: TestService;
}

interface Health {
  status: string;
  info?: { leadership?: { role: string; leader?: string } };
}

interface Info {
  id: string;
  leadership: { role: string; elected: boolean; leader?: string };
}

describe('high availability', () => {
  let nats: TestNats;
  let db: TestDatabase;
  let work: string;
  let env: Record<string, string>;
  const instances: Instance[] = [];
  const taskManagers: TestService[] = [];
  const failoverTimes: Record<string, number> = {};

  async function startInstance(service: ControlService, name: string): Promise<Instance> {
    const port = await findFreePort();
    const process = startService(service, { ...env, HTTP_PORT: String(port) }, name);
    const instance = { service, name, url: `http://127.0.0.1:${port}`, process };
    instances.push(instance);
    return instance;
  }

  const alive = (service: ControlService) => instances.filter((i) => i.service === service && !killed.has(i.name));
  const killed = new Set<string>();

  async function role(instance: Instance): Promise<string | undefined> {
    try {
      return (await httpJson<Health>(`${instance.url}/health`, { timeoutMs: 2000 })).body?.info?.leadership?.role;
    } catch {
      return undefined;
    }
  }

  /** The leader among the live instances of a service, once there is exactly one and the others are standbys. */
  async function leaderOf(service: ControlService, timeoutMs = 60_000): Promise<Instance> {
    return waitFor(
      async () => {
        const live = alive(service);
        const roles = await Promise.all(live.map(role));
        const leaders = live.filter((_, i) => roles[i] === 'leader');
        return leaders.length === 1 && roles.every((r) => r === 'leader' || r === 'standby') ? leaders[0] : undefined;
      },
      { description: `one ${service} leader and standbys`, timeoutMs, intervalMs: 100 },
    );
  }

  async function overview(dispatcher: Instance) {
    return (await httpJson<{ taskmanagers: number; 'slots-total': number; 'slots-available': number }>(`${dispatcher.url}/overview`, { timeoutMs: 3000 })).body;
  }

  async function query<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function kill(instance: Instance): Promise<number> {
    killed.add(instance.name);
    await instance.process.kill();
    return Date.now();
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-ha-'));
    nats = await startTestNats();
    db = await createTestDatabase('runnel_e2e_ha');
    env = {
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      LEADER_LEASE_MS: String(LEASE_MS),
      HEARTBEAT_INTERVAL_MS: '300',
      HEARTBEAT_TIMEOUT_MS: '3000',
    };
    // The first of each pair starts first, so it is most likely the leader; the test does not rely on it.
    for (const service of ['resourcemanager', 'jobmanager', 'dispatcher'] as const) {
      await startInstance(service, `${service}-1`);
      await startInstance(service, `${service}-2`);
    }
    for (const id of ['tm-ha-a', 'tm-ha-b']) {
      taskManagers.push(startService('taskmanager', { ...env, HTTP_PORT: '0', TM_SLOTS: '2', RESOURCE_ID: id }, id));
    }
    const dispatchers = alive('dispatcher');
    await waitFor(
      async () => (await Promise.all(dispatchers.map(overview))).every((o) => o?.taskmanagers === 2 && o['slots-total'] === 4),
      { description: '/overview through both dispatchers to show 2 TaskManagers with 4 slots', timeoutMs: 90_000 },
    );
  });

  afterAll(async () => {
    await Promise.allSettled([...taskManagers, ...instances.map((i) => i.process)].map((p) => p.stop()));
    await nats?.stop();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
    process.stdout.write(`high availability: measured failover times (lease ${LEASE_MS} ms): ${JSON.stringify(failoverTimes)}\n`);
  });

  it('elects one leader per service; /health and /info say which, and standbys know the leader', async () => {
    for (const service of ['resourcemanager', 'jobmanager', 'dispatcher'] as const) {
      const leader = await leaderOf(service);
      const leaderInfo = (await httpJson<Info>(`${leader.url}/info`)).body;
      expect(leaderInfo.leadership).toMatchObject({ role: 'leader', elected: true, leader: leaderInfo.id });
      const standby = alive(service).find((i) => i !== leader);
      if (!standby) throw new Error(`no standby ${service}`);
      const standbyInfo = await waitFor(
        async () => {
          const info = (await httpJson<Info>(`${standby.url}/info`)).body;
          return info.leadership.leader === leaderInfo.id && info;
        },
        { description: `the standby ${service} to name the leader`, timeoutMs: 10_000 },
      );
      expect(standbyInfo.leadership.role).toBe('standby');
    }
  });

  it('a SIGKILLed ResourceManager leader is replaced; TaskManagers register with the new one', async () => {
    const old = await leaderOf('resourcemanager');
    const oldId = (await httpJson<Info>(`${old.url}/info`)).body.id;
    const killedAt = await kill(old);
    const successor = await leaderOf('resourcemanager', 30_000);
    failoverTimes['resourcemanager: new leader'] = Date.now() - killedAt;
    const newId = (await httpJson<Info>(`${successor.url}/info`)).body.id;
    expect(newId).not.toBe(oldId);

    await waitFor(
      async () => {
        const rows = await query<{ resource_manager_id: string }>(`SELECT resource_manager_id FROM task_managers WHERE status = 'REGISTERED'`);
        return rows.length === 2 && rows.every((r) => r.resource_manager_id === newId);
      },
      { description: 'both TaskManagers to register with the new ResourceManager', timeoutMs: 30_000 },
    );
    await waitFor(
      async () => (await Promise.all(alive('dispatcher').map(overview))).every((o) => o?.taskmanagers === 2 && o['slots-total'] === 4),
      { description: '/overview through either dispatcher to show the 2 TaskManagers again', timeoutMs: 30_000 },
    );
    failoverTimes['resourcemanager: TaskManagers back in /overview'] = Date.now() - killedAt;
  });

  it('a ResourceManager leader stopped with SIGTERM hands over at once (it deletes its key)', async () => {
    const newcomer = await startInstance('resourcemanager', 'resourcemanager-3');
    await waitFor(async () => (await role(newcomer)) === 'standby', { description: 'the new ResourceManager to be a standby', timeoutMs: 60_000 });
    const old = await leaderOf('resourcemanager');
    killed.add(old.name);
    const stoppedAt = Date.now();
    expect((await old.process.stop()).code).toBe(0);
    // It resigns right before it exits; without the key's deletion the standby would wait for
    // the lease to expire, a whole lease after the last refresh.
    const exitedAt = Date.now();
    const successor = await leaderOf('resourcemanager', 30_000);
    failoverTimes['resourcemanager: new leader after SIGTERM'] = Date.now() - stoppedAt;
    expect(successor).toBe(newcomer);
    expect(Date.now() - exitedAt).toBeLessThan(LEASE_MS * 0.8);
    await waitFor(
      async () => (await Promise.all(alive('dispatcher').map(overview))).every((o) => o?.taskmanagers === 2 && o['slots-total'] === 4),
      { description: 'the 2 TaskManagers to register with the third ResourceManager', timeoutMs: 30_000 },
    );
  });

  it('a SIGKILLed JobManager leader is replaced; the new one recovers the running jobs from their checkpoints', async () => {
    const dispatcher = alive('dispatcher')[1];
    const upload = async (file: string) => {
      const artifact = await bundleJobArtifact(join(FIXTURES, file));
      const form = new FormData();
      form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
      const response = await fetch(`${dispatcher.url}/jars/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
      const body = (await response.json()) as { id?: string };
      if (!body.id) throw new Error(`upload of ${file} failed: ${JSON.stringify(body)}`);
      return body.id;
    };
    const run = async (jarId: string, programArgsList: string[], parallelism: number) => {
      const { status, body } = await httpJson<{ jobid?: string }>(`${dispatcher.url}/jars/${jarId}/run`, { body: { programArgsList, parallelism }, timeoutMs: 60_000 });
      if (status !== 200 || !body.jobid) throw new Error(`run failed (${status}): ${JSON.stringify(body)}`);
      return body.jobid;
    };
    const job = async (jobId: string) =>
      (await httpJson<{ state: string; vertices: unknown[] }>(`${dispatcher.url}/jobs/${jobId}`, { timeoutMs: 3000 })).body;
    // Throws with the state it saw, so a timed-out wait says where the job was.
    const inState = async (jobId: string, state: string) => {
      const details = await job(jobId);
      if (details.state !== state) throw new Error(`job ${jobId} is ${details.state}`);
      return true;
    };
    const checkpoints = async (jobId: string) =>
      (await httpJson<{ counts?: { completed: number; restored: number } }>(`${dispatcher.url}/jobs/${jobId}/checkpoints`, { timeoutMs: 3000 })).body.counts;

    // A bounded job with checkpoints (slow enough to outlive the failover) and an unbounded one.
    const count = 30_000;
    const output = join(work, 'bounded');
    const bounded = await run(await upload('slow-counter.job.mjs'), ['--count', String(count), '--per-poll', '30', '--output', `${output}/`], 2);
    const unbounded = await run(await upload('unbounded.job.mjs'), [], 1);
    await waitFor(() => inState(unbounded, 'RUNNING'), { description: 'the unbounded job to run', timeoutMs: 60_000 });
    await waitFor(async () => ((await checkpoints(bounded))?.completed ?? 0) >= 1, { description: 'a completed checkpoint of the bounded job', timeoutMs: 60_000 });

    const old = await leaderOf('jobmanager');
    const killedAt = await kill(old);
    const successor = await leaderOf('jobmanager', 30_000);
    failoverTimes['jobmanager: new leader'] = Date.now() - killedAt;
    expect(successor).not.toBe(old);

    // The new leader holds both jobs again (live views have vertices; the job store's have none).
    await waitFor(
      async () => {
        const [b, u] = await Promise.all([job(bounded), job(unbounded)]);
        return ['RUNNING', 'FINISHED'].includes(b.state) && b.vertices.length > 0 && u.state === 'RUNNING' && u.vertices.length > 0;
      },
      { description: 'both jobs to run again under the new JobManager', timeoutMs: 60_000, intervalMs: 100 },
    );
    failoverTimes['jobmanager: jobs running again'] = Date.now() - killedAt;
    expect((await checkpoints(bounded))?.restored).toBeGreaterThanOrEqual(1);

    await waitFor(() => inState(bounded, 'FINISHED'), { description: 'the bounded job to finish', timeoutMs: 180_000 });
    // Exactly once across the JobManager failover: the keyed sums were restored and the file sink
    // commits with checkpoints, so the output is every rolling sum once — none lost, none doubled.
    expect(canonicalRows(readJsonLines(output))).toEqual(rollingSums(count, 7));
    // The unbounded job is still running under the new leader; cancel it through the other dispatcher.
    expect((await job(unbounded)).state).toBe('RUNNING');
    const other = alive('dispatcher')[0];
    expect((await httpJson(`${other.url}/jobs/${unbounded}?mode=cancel`, { method: 'PATCH', timeoutMs: 30_000 })).status).toBeLessThan(300);
    await waitFor(() => inState(unbounded, 'CANCELED'), { description: 'the unbounded job to be cancelled', timeoutMs: 30_000 });
  });

  it('a SIGKILLed dispatcher leader is replaced; the NATS API answers through the new one', async () => {
    const old = await leaderOf('dispatcher');
    const killedAt = await kill(old);
    const successor = await leaderOf('dispatcher', 30_000);
    failoverTimes['dispatcher: new leader'] = Date.now() - killedAt;
    const client = await RunnelClient.connect(nats.url, { timeoutMs: 5_000 });
    try {
      const jobs = await client.list();
      expect(jobs.length).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
    }
    expect((await overview(successor))?.taskmanagers).toBe(2);
  });
});
