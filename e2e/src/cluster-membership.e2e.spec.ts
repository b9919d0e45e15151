/**
 * Cluster membership with real processes, a NATS server of the test's own and a database of its
 * own: ResourceManager + JobManager + dispatcher + 2 TaskManagers × 3 slots; a TaskManager killed
 * and restarted; the ResourceManager restarted; malformed registrations; bad configuration.
 */
import { NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import {
  TestDatabase,
  TestNats,
  TestService,
  createTestDatabase,
  findFreePort,
  httpJson,
  startService,
  startTestNats,
  waitFor,
} from './support';

const HEARTBEAT_INTERVAL_MS = 300;
const HEARTBEAT_TIMEOUT_MS = 2000;

interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
}

describe('cluster membership', () => {
  let nats: TestNats;
  let db: TestDatabase;
  let env: Record<string, string>;
  let dispatcherUrl: string;
  let rmUrl: string;
  let rmPort: number;
  let rm: TestService;
  const services: TestService[] = [];
  const taskManagers = new Map<string, TestService>();

  const start = (name: Parameters<typeof startService>[0], extra: Record<string, string>, label?: string) => {
    const service = startService(name, { ...env, ...extra }, label);
    services.push(service);
    return service;
  };
  const startTaskManager = (id: string) => {
    const tm = start('taskmanager', { TM_SLOTS: '3', RESOURCE_ID: id, HTTP_PORT: '0' }, id);
    taskManagers.set(id, tm);
    return tm;
  };
  const startResourceManager = () =>
    start('resourcemanager', {
      HTTP_PORT: String(rmPort),
      HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS),
      HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
    });
  const overview = async () => (await httpJson<Overview>(`${dispatcherUrl}/overview`)).body;
  const waitForOverview = (taskmanagers: number, slots: number, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const o = await overview();
        return o.taskmanagers === taskmanagers && o['slots-total'] === slots && o;
      },
      { description: `/overview to show ${taskmanagers} TaskManagers and ${slots} slots`, timeoutMs },
    );
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    nats = await startTestNats();
    db = await createTestDatabase();
    env = { NATS_URL: nats.url, DATABASE_URL: db.url };
    rmPort = await findFreePort();
    const dispatcherPort = await findFreePort();
    rmUrl = `http://127.0.0.1:${rmPort}`;
    dispatcherUrl = `http://127.0.0.1:${dispatcherPort}`;
    rm = startResourceManager();
    start('jobmanager', { HTTP_PORT: '0' });
    start('dispatcher', { HTTP_PORT: String(dispatcherPort) });
    startTaskManager('tm-e2e-a');
    startTaskManager('tm-e2e-b');
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await nats?.stop();
    await db?.drop();
  });

  it('shows 2 TaskManagers and 6 slots in /overview and /taskmanagers', async () => {
    const o = await waitForOverview(2, 6);
    expect(o).toMatchObject({ taskmanagers: 2, 'slots-total': 6, 'slots-available': 6, 'jobs-running': 0 });
    const { body } = await httpJson<{ taskmanagers: { id: string; slotsNumber: number; freeSlots: number }[] }>(`${dispatcherUrl}/taskmanagers`);
    expect(body.taskmanagers.map((t) => [t.id, t.slotsNumber, t.freeSlots])).toEqual([
      ['tm-e2e-a', 3, 3],
      ['tm-e2e-b', 3, 3],
    ]);
    const one = await httpJson<{ slots: { slotId: string; state: string }[] }>(`${dispatcherUrl}/taskmanagers/tm-e2e-a`);
    expect(one.body.slots.map((s) => `${s.slotId}:${s.state}`)).toEqual(['tm-e2e-a#0:FREE', 'tm-e2e-a#1:FREE', 'tm-e2e-a#2:FREE']);
    expect((await httpJson(`${dispatcherUrl}/taskmanagers/tm-nope`)).status).toBe(404);
  });

  it('reports health and identity on every service', async () => {
    const health = await httpJson<{ status: string; details: Record<string, { status: string }> }>(`${rmUrl}/health`);
    expect(health.status).toBe(200);
    expect(health.body.details).toMatchObject({ nats: { status: 'up' }, postgres: { status: 'up' } });
    const info = await httpJson<{ service: string; version: string; protocolVersion: number }>(`${dispatcherUrl}/info`);
    expect(info.body).toMatchObject({ service: 'dispatcher', version: '0.1.0', protocolVersion: 1 });
    const metrics = await fetch(`${rmUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^runnel_process_cpu_user_seconds_total\{service="resourcemanager"\} /m);
  });

  it('frees the slots of a killed TaskManager within the heartbeat timeout, and takes it back on restart', async () => {
    const killedAt = Date.now();
    await taskManagers.get('tm-e2e-b')!.kill();
    // Lost = no heartbeat for the timeout (counted from the last heartbeat, as Flink does), noticed
    // by a sweep every timeout/10; the deadline leaves room for a loaded CI machine.
    await waitForOverview(1, 3, HEARTBEAT_TIMEOUT_MS * 2 + 2000);
    const elapsed = Date.now() - killedAt;
    expect((await httpJson(`${dispatcherUrl}/taskmanagers/tm-e2e-b`)).status).toBe(404);
    const [row] = await query<{ status: string }>(`SELECT status FROM task_managers WHERE resource_id = 'tm-e2e-b'`);
    expect(row.status).toBe('LOST');
    process.stdout.write(`slots of the killed TaskManager left the registry after ${elapsed} ms (timeout ${HEARTBEAT_TIMEOUT_MS} ms)\n`);

    startTaskManager('tm-e2e-b');
    await waitForOverview(2, 6);
  });

  it('answers malformed registrations with a validation error and writes nothing', async () => {
    const before = await query(`SELECT resource_id, registration_id, status FROM task_managers ORDER BY resource_id`);
    const slotsBefore = await query(`SELECT * FROM slots ORDER BY resource_id, slot_index`);
    const nc: NatsConnection = await connect({ servers: nats.url });
    try {
      const valid = { protocolVersion: 1, resourceId: 'tm-bad', address: 'http://x', hostname: 'h', pid: 1, slots: 3, version: '1', cpuCores: 1, physicalMemory: 1 };
      const cases: [Record<string, unknown> | string, string[]][] = [
        [{ ...valid, slots: undefined }, ['slots']],
        [{ ...valid, slots: 'three', pid: -1 }, ['pid', 'slots']],
        [{ ...valid, protocolVersion: 2 }, ['protocolVersion']],
        [{ ...valid, resourceId: 'tm bad*' }, ['resourceId']],
        [{ ...valid, extra: true }, ['extra']],
        ['{"not json', ['']],
      ];
      for (const [payload, fields] of cases) {
        const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : new TextEncoder().encode(JSON.stringify(payload));
        const reply = await nc.request('runnel.resourcemanager.registerTaskExecutor', data, { timeout: 5000 });
        const envelope = JSON.parse(new TextDecoder().decode(reply.data));
        expect(envelope.ok).toBe(false);
        expect(envelope.error.code).toBe('VALIDATION_FAILED');
        expect(envelope.error.details.violations.map((v: { field: string }) => v.field).sort()).toEqual(fields);
      }
    } finally {
      await nc.drain();
    }
    expect(await query(`SELECT resource_id, registration_id, status FROM task_managers ORDER BY resource_id`)).toEqual(before);
    expect(await query(`SELECT * FROM slots ORDER BY resource_id, slot_index`)).toEqual(slotsBefore);
  });

  it('TaskManagers register again with a restarted ResourceManager', async () => {
    await waitForOverview(2, 6);
    const [{ resource_manager_id: oldRm }] = await query<{ resource_manager_id: string }>(`SELECT DISTINCT resource_manager_id FROM task_managers WHERE status = 'REGISTERED'`);
    expect((await rm.stop()).code).toBe(0);
    rm = startResourceManager();
    const ids = await waitFor(
      async () => {
        const rows = await query<{ resource_manager_id: string }>(`SELECT resource_manager_id FROM task_managers WHERE status = 'REGISTERED'`);
        return rows.length === 2 && rows.every((r) => r.resource_manager_id !== oldRm) && rows.map((r) => r.resource_manager_id);
      },
      { description: 'both TaskManagers to register with the new ResourceManager', timeoutMs: 20_000 },
    );
    expect(new Set(ids).size).toBe(1);
    await waitForOverview(2, 6);
  });

  it('a TaskManager stopped with SIGTERM disconnects at once and exits 0', async () => {
    const exit = await taskManagers.get('tm-e2e-a')!.stop();
    expect(exit.code).toBe(0);
    const [row] = await query<{ status: string }>(`SELECT status FROM task_managers WHERE resource_id = 'tm-e2e-a'`);
    expect(row.status).toBe('DISCONNECTED');
    expect((await overview())['slots-total']).toBe(3);
  });

  it('refuses to start with a wrong setting, saying which and why', async () => {
    const tm = startService('taskmanager', { ...env, TM_SLOTS: 'zero' }, 'tm-misconfigured');
    const exit = await tm.exited;
    expect(exit.code).toBe(2);
    expect(tm.logs().join('\n')).toMatch(/TM_SLOTS: "zero" is not a number/);
  });
});
