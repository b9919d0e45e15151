/**
 * The registry against a real Postgres (a database of this test's own on RUNNEL_TEST_DATABASE_URL):
 * what the SQL does under re-registration, concurrency, lost heartbeats and disconnects.
 */
import { AllocationIds, JobIds, PROTOCOL_VERSION, RegisterTaskExecutorRequest, ResourceIds, UnknownTaskManagerError } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { runMigrationsExclusively } from '@runnel/service-kit';
import { dataSourceOptions } from '../database';
import { SlotEntity } from './slot.entity';
import { TaskManagerEntity } from './task-manager.entity';
import { SlotAllocator } from './slot-allocator.service';
import { TaskManagerRegistry } from './task-manager-registry.service';

const ADMIN_URL = process.env.RUNNEL_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `runnel_rm_spec_${randomBytes(4).toString('hex')}`;
const RM = 'rm-spec';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function registration(resourceId: string, slots = 3, extra: Partial<RegisterTaskExecutorRequest> = {}): RegisterTaskExecutorRequest {
  return Object.assign(new RegisterTaskExecutorRequest(), {
    protocolVersion: PROTOCOL_VERSION, resourceId: ResourceIds.parse(resourceId), address: `http://127.0.0.1/${resourceId}`, hostname: 'h', pid: 1, slots,
    version: '0.1.0', cpuCores: 2, physicalMemory: 1e9, ...extra,
  });
}

describe('TaskManagerRegistry (Postgres)', () => {
  let dataSource: DataSource;
  let registry: TaskManagerRegistry;

  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    // Two instances starting together: both run migrations, under the lock, and neither fails.
    const twin = await new DataSource(dataSourceOptions(url.toString())).initialize();
    dataSource = await new DataSource(dataSourceOptions(url.toString())).initialize();
    const [mine, theirs] = await Promise.all([runMigrationsExclusively(dataSource, 'spec-rm'), runMigrationsExclusively(twin, 'spec-rm')]);
    expect([...mine, ...theirs]).toEqual(['InitialSchema1763800000000', 'TaskManagerProvider1764500000000', 'JobTarget1764600000000', 'JobSavepoint1764700000000']);
    await twin.destroy();
    registry = new TaskManagerRegistry(dataSource, dataSource.getRepository(TaskManagerEntity), dataSource.getRepository(SlotEntity));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  });

  beforeEach(() => dataSource.query('TRUNCATE task_managers CASCADE'));

  const slotRows = () => dataSource.query(`SELECT resource_id, slot_index, allocation_id FROM slots ORDER BY resource_id, slot_index`);

  it('ran its migrations (no synchronize)', async () => {
    const rows = await dataSource.query(`SELECT name FROM runnel_resourcemanager_migrations`);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['InitialSchema1763800000000', 'TaskManagerProvider1764500000000', 'JobTarget1764600000000', 'JobSavepoint1764700000000']);
  });

  it('registers a TaskManager with its slots and counts them', async () => {
    await registry.register(registration('tm-a', 3), RM);
    await registry.register(registration('tm-b', 2), RM);
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 2, total: 5, free: 5 });
    const details = await registry.get(ResourceIds.parse('tm-b'), RM);
    expect(details.slots.map((s) => s.slotId)).toEqual(['tm-b#0', 'tm-b#1']);
  });

  it('replaces the registration of a restarted TaskManager, keeping reported allocations', async () => {
    const first = await registry.register(registration('tm-a', 3), RM);
    const allocationId = AllocationIds.parse('c'.repeat(32));
    const second = await registry.register(registration('tm-a', 2, { slotReport: [{ index: 1, allocationId, jobId: JobIds.parse('d'.repeat(32)) }] }), RM);
    expect(second.registrationId).not.toBe(first.registrationId);
    expect(await slotRows()).toEqual([
      { resource_id: 'tm-a', slot_index: 0, allocation_id: null },
      { resource_id: 'tm-a', slot_index: 1, allocation_id: allocationId },
    ]);
    await expect(registry.heartbeat({ protocolVersion: 1, resourceId: ResourceIds.parse('tm-a'), registrationId: first.registrationId, resourceManagerId: RM, slotReport: [] }, RM, 10_000))
      .rejects.toBeInstanceOf(UnknownTaskManagerError);
  });

  it('keeps one consistent registration under concurrent registrations of the same TaskManager', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => registry.register(registration('tm-race', 1 + (i % 4)), RM)));
    const [tm] = await dataSource.query(`SELECT registration_id, slots_number FROM task_managers WHERE resource_id = 'tm-race'`);
    expect(results.map((r) => r.registrationId)).toContain(tm.registration_id);
    const slots = await dataSource.query(`SELECT count(*)::int AS n FROM slots WHERE resource_id = 'tm-race'`);
    expect(slots[0].n).toBe(tm.slots_number);
  });

  it('frees the slots of TaskManagers whose heartbeats stopped, and only theirs', async () => {
    const a = await registry.register(registration('tm-a'), RM);
    await registry.register(registration('tm-b'), RM);
    await dataSource.query(`UPDATE task_managers SET last_heartbeat = now() - interval '10 seconds' WHERE resource_id = 'tm-b'`);
    await registry.heartbeat({ protocolVersion: 1, resourceId: ResourceIds.parse('tm-a'), registrationId: a.registrationId, resourceManagerId: RM, slotReport: [] }, RM, 10_000);
    expect(await registry.expireSilent(5000)).toEqual(['tm-b']);
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 1, total: 3, free: 3 });
    expect((await registry.list(RM)).map((t) => t.id)).toEqual(['tm-a']);
    expect(await registry.expireSilent(5000)).toEqual([]);
  });

  it('tells a TaskManager of another ResourceManager instance to register again', async () => {
    const a = await registry.register(registration('tm-a'), 'rm-old');
    await expect(registry.heartbeat({ protocolVersion: 1, resourceId: ResourceIds.parse('tm-a'), registrationId: a.registrationId, resourceManagerId: 'rm-old', slotReport: [] }, RM, 10_000))
      .rejects.toThrow(/registered with ResourceManager rm-old, this is rm-spec/);
  });

  it('offers nothing of a registration made with an earlier ResourceManager until it registers again', async () => {
    // A cluster restart: the registry still says REGISTERED for a TaskManager whose process is gone.
    await registry.register(registration('tm-stale', 3), 'rm-earlier');
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 0, total: 0, free: 0 });
    expect(await registry.list(RM)).toEqual([]);
    // Liveness checks still see it (not yet lost: it may re-register within its timeout).
    expect((await registry.list(undefined)).map((t) => t.id)).toEqual(['tm-stale']);
    await registry.register(registration('tm-live', 1), RM);
    expect((await registry.list(RM)).map((t) => t.id)).toEqual(['tm-live']);
  });

  it('reconciles the registry with the slot report of a heartbeat', async () => {
    const a = await registry.register(registration('tm-a', 3), RM);
    const [held, fresh, ended] = ['a', 'b', 'c'].map((c) => AllocationIds.parse(c.repeat(32)));
    const jobs = { held: JobIds.parse('1'.repeat(32)), fresh: JobIds.parse('2'.repeat(32)), ended: JobIds.parse('3'.repeat(32)) };
    // Slot 0: allocated and deployed (the report agrees). Slot 1: allocated long ago, never deployed
    // (the report says free). Slot 2: allocated a moment ago, deployment under way.
    await dataSource.query(`UPDATE slots SET allocation_id = $1, job_id = $2, updated_at = now() - interval '1 minute' WHERE resource_id = 'tm-a' AND slot_index = 0`, [held, jobs.held]);
    await dataSource.query(`UPDATE slots SET allocation_id = $1, job_id = $2, updated_at = now() - interval '1 minute' WHERE resource_id = 'tm-a' AND slot_index = 1`, ['d'.repeat(32), jobs.held]);
    await dataSource.query(`UPDATE slots SET allocation_id = $1, job_id = $2, updated_at = now() WHERE resource_id = 'tm-a' AND slot_index = 2`, [fresh, jobs.fresh]);
    const outcome = await registry.heartbeat(
      {
        protocolVersion: 1, resourceId: ResourceIds.parse('tm-a'), registrationId: a.registrationId, resourceManagerId: RM,
        // Index 3 does not exist in the registry: the TaskManager holds a slot of a job the registry let go of.
        slotReport: [{ index: 0, allocationId: held, jobId: jobs.held }, { index: 1 }, { index: 2 }, { index: 3, allocationId: ended, jobId: jobs.ended }],
      },
      RM,
      10_000,
    );
    expect(outcome.freedSlots).toEqual([1]);
    expect(outcome.releaseJobs).toEqual([jobs.ended]);
    expect(await slotRows()).toEqual([
      { resource_id: 'tm-a', slot_index: 0, allocation_id: held },
      { resource_id: 'tm-a', slot_index: 1, allocation_id: null },
      { resource_id: 'tm-a', slot_index: 2, allocation_id: fresh },
    ]);
  });

  it('drops a TaskManager a JobMaster could not reach, at once', async () => {
    await registry.register(registration('tm-gone', 2), RM);
    expect(await registry.markUnreachable(ResourceIds.parse('tm-gone'), 'no responders')).toBe(true);
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 0, total: 0, free: 0 });
    expect(await registry.markUnreachable(ResourceIds.parse('tm-gone'), 'again')).toBe(false);
  });

  it('frees the slots of a TaskManager that disconnects', async () => {
    const a = await registry.register(registration('tm-a'), RM);
    await registry.disconnect({ protocolVersion: 1, resourceId: ResourceIds.parse('tm-a'), registrationId: a.registrationId, reason: 'bye' });
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 0, total: 0, free: 0 });
    const [tm] = await dataSource.query(`SELECT status FROM task_managers WHERE resource_id = 'tm-a'`);
    expect(tm.status).toBe('DISCONNECTED');
  });
});

describe('SlotAllocator (Postgres)', () => {
  const dbName2 = `runnel_rm_slots_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let registry: TaskManagerRegistry;
  let allocator: SlotAllocator;
  const job = (n: number) => JobIds.parse(n.toString(16).padStart(32, '0'));

  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${dbName2}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName2}`;
    dataSource = await new DataSource(dataSourceOptions(url.toString())).initialize();
    await runMigrationsExclusively(dataSource, 'spec-rm-slots');
    registry = new TaskManagerRegistry(dataSource, dataSource.getRepository(TaskManagerEntity), dataSource.getRepository(SlotEntity));
    allocator = new SlotAllocator(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName2} WITH (FORCE)`));
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE task_managers CASCADE');
    await registry.register(registration('tm-a', 2), RM);
    await registry.register(registration('tm-b', 2), RM);
  });

  it('spreads a job over TaskManagers and records the allocation', async () => {
    const slots = await allocator.allocate(job(1), 2, RM);
    expect(slots.map((s) => s.slotId).sort()).toEqual(['tm-a#0', 'tm-b#0']);
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 2, total: 4, free: 2 });
    const rows = await dataSource.query(`SELECT allocation_id, job_id FROM slots WHERE job_id IS NOT NULL ORDER BY resource_id`);
    expect(rows.map((r: { allocation_id: string }) => r.allocation_id).sort()).toEqual(slots.map((s) => s.allocationId).sort());
  });

  it('still spreads a job while a TaskManager’s heartbeat is in flight', async () => {
    // The heartbeat of tm-b is paused inside its transaction, right after it read tm-b's slots,
    // and the allocation runs then. If the heartbeat held locks on tm-b's free slots, SKIP LOCKED
    // would pass them over and put both slots on tm-a (seen in the backpressure e2e run).
    const [{ registration_id: registrationId }] = await dataSource.query(`SELECT registration_id FROM task_managers WHERE resource_id = 'tm-b'`);
    let during: Promise<Awaited<ReturnType<SlotAllocator['allocate']>>> | undefined;
    const pausing = Object.create(dataSource) as DataSource;
    pausing.transaction = ((work: (em: EntityManager) => Promise<unknown>) =>
      dataSource.transaction((em) => {
        const inner = Object.create(em) as EntityManager;
        inner.query = async (sql: string, params?: unknown[]) => {
          const result = await em.query(sql, params);
          if (/FROM slots/.test(sql) && !during) {
            during = allocator.allocate(job(1), 2, RM);
            await during;
          }
          return result;
        };
        return work(inner);
      })) as DataSource['transaction'];
    const pausedRegistry = new TaskManagerRegistry(pausing, dataSource.getRepository(TaskManagerEntity), dataSource.getRepository(SlotEntity));
    await pausedRegistry.heartbeat({ protocolVersion: 1, resourceId: ResourceIds.parse('tm-b'), registrationId, resourceManagerId: RM, slotReport: [] }, RM, 10_000);
    expect(during).toBeDefined(); // the allocation did run inside the heartbeat
    expect((await during!).map((s) => s.slotId).sort()).toEqual(['tm-a#0', 'tm-b#0']);
  });

  it('gives all slots or none, and says how many are free', async () => {
    await allocator.allocate(job(1), 3, RM);
    await expect(allocator.allocate(job(2), 2, RM)).rejects.toMatchObject({ code: 'NOT_ENOUGH_SLOTS', requested: 2, available: 1 });
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 2, total: 4, free: 1 });
  });

  it('never gives one slot to two jobs under concurrent requests', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => allocator.allocate(job(10 + i), 1 + (i % 2), RM)));
    const granted = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const slotIds = granted.map((s) => s.slotId);
    expect(new Set(slotIds).size).toBe(slotIds.length);
    expect(slotIds.length).toBeLessThanOrEqual(4);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM slots WHERE allocation_id IS NOT NULL`);
    expect(n).toBe(slotIds.length);
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('NOT_ENOUGH_SLOTS');
  });

  it('never allocates the slots of a stale registration (an earlier ResourceManager, process gone)', async () => {
    await dataSource.query('TRUNCATE task_managers CASCADE');
    await registry.register(registration('tm-stale', 4), 'rm-earlier');
    await expect(allocator.allocate(job(1), 1, RM)).rejects.toMatchObject({ code: 'NOT_ENOUGH_SLOTS', available: 0 });
    await registry.register(registration('tm-stale', 4), RM); // it registered again with this leader
    expect((await allocator.allocate(job(1), 1, RM)).map((s) => s.resourceId)).toEqual(['tm-stale']);
  });

  it('gives a per-job TaskManager to its job only', async () => {
    await registry.register(registration('tm-own', 2, { provider: 'process', dedicatedTo: job(7) }), RM);
    // The shared TaskManagers (4 slots) do not count for the per-job request, and the dedicated one not for others.
    await expect(allocator.allocate(job(8), 5, RM)).rejects.toMatchObject({ available: 4 });
    expect((await allocator.allocate(job(7), 2, RM, 'per-job')).map((s) => s.resourceId)).toEqual(['tm-own', 'tm-own']);
    await expect(allocator.allocate(job(7), 1, RM, 'per-job')).rejects.toMatchObject({ available: 0 });
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 3, total: 6, free: 4 });
  });

  it('releases a job’s slots', async () => {
    const slots = await allocator.allocate(job(1), 3, RM);
    expect(await allocator.release(job(1), [slots[0].allocationId])).toBe(1);
    expect(await allocator.release(job(1))).toBe(2);
    expect(await registry.slotCounts(RM)).toEqual({ taskManagers: 2, total: 4, free: 4 });
  });
});
