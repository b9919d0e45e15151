/**
 * The provisioning policy with a fake provider, registry and job store: how many TaskManagers an
 * unmet request starts, that those still starting count, MAX/MIN, idle release, per-job clean-up
 * and the crash-loop stop. The process provider itself is exercised by the e2e tests.
 */
import { JobIds, ResourceId } from '@runnel/protocol';
import { LeadershipState, ServiceIdentity } from '@runnel/service-kit';
import { JobStore } from '../jobs/job-store.service';
import { TaskManagerLoss } from '../registry/task-manager-loss.service';
import { ProvidedTaskManagerRow, TaskManagerRegistry } from '../registry/task-manager-registry.service';
import { ResourceManagerSettings } from '../resourcemanager.settings';
import { ResourceProvisioner } from './resource-provisioner.service';
import { ProvidedTaskManager, ResourceProvider, ResourceProviderEvents, TaskManagerSpec } from './resource-provider.types';

const JOB = JobIds.parse('a'.repeat(32));

class FakeProvider implements ResourceProvider {
  readonly name = 'process' as const;
  readonly managesTaskManagers = true;
  readonly started: { id: string; spec: TaskManagerSpec }[] = [];
  readonly released: string[] = [];
  events?: ResourceProviderEvents;
  private n = 0;

  async requestTaskManagers(n: number, spec: TaskManagerSpec, events: ResourceProviderEvents): Promise<ResourceId[]> {
    this.events = events;
    const ids = Array.from({ length: n }, () => `tm-${++this.n}` as ResourceId);
    for (const id of ids) this.started.push({ id, spec });
    return ids;
  }

  async release(tm: ProvidedTaskManager): Promise<void> {
    this.released.push(tm.resourceId);
  }

  running(): ReadonlySet<string> {
    return new Set(this.started.map((s) => s.id).filter((id) => !this.released.includes(id)));
  }
}

function setup(overrides: Partial<ResourceManagerSettings> = {}) {
  let now = 0;
  const registered: ProvidedTaskManagerRow[] = [];
  const statuses = new Map<string, string>();
  const provider = new FakeProvider();
  const settings = Object.assign(new ResourceManagerSettings(), {
    minTaskManagers: 0, maxTaskManagers: 8, tmSlots: 2, tmIdleTimeoutMs: 30_000, tmMaxFailures: 2, tmFailureWindowMs: 60_000, tmStartTimeoutMs: 60_000,
    ...overrides,
  });
  const unreachable: string[] = [];
  const noticed: string[][] = [];
  const registry = {
    providedTaskManagers: async () => registered.slice(),
    // Only a registered one ends: a second call for it finds nothing.
    markUnreachable: async (id: string) => registered.some((r) => r.resourceId === id) && !unreachable.includes(id) && unreachable.push(id) > 0,
  } as unknown as TaskManagerRegistry;
  const jobs = { statusOf: async (id: string) => statuses.get(id) } as unknown as JobStore;
  const leadership = new LeadershipState('rm-1');
  const notice = { taskManagersLost: async (r: { resourceIds: string[] }) => (noticed.push([...r.resourceIds]), {}) };
  const loss = new TaskManagerLoss(registry, notice);
  const provisioner = new ResourceProvisioner(provider, registry, jobs, settings, leadership, () => now, { id: 'rm-1' } as ServiceIdentity, loss);
  /** The provider's TaskManagers register (as the real ones do within a second or so). */
  const registerStarted = (allocated = 0) => {
    for (const s of provider.started) {
      if (registered.some((r) => r.resourceId === s.id) || provider.released.includes(s.id)) continue;
      registered.push({ resourceId: s.id, pid: 1, hostname: 'h', dedicatedTo: s.spec.dedicatedTo ?? null, slots: s.spec.slots, allocated });
    }
  };
  return { provisioner, provider, registered, statuses, registerStarted, unreachable, noticed, leadership, advance: (ms: number) => (now += ms) };
}

describe('ResourceProvisioner', () => {
  it('starts ceil(missing / TM_SLOTS) TaskManagers for an unmet request, and not again while they start', async () => {
    const { provisioner, provider } = setup();
    expect(await provisioner.onUnmetDemand({ jobId: JOB, count: 4, target: 'session', free: 1 })).toBe('starting 2 TaskManager(s) with 2 slots each');
    expect(provider.started.map((s) => s.spec)).toEqual([{ slots: 2 }, { slots: 2 }]);
    // The JobMaster asks again half a second later: the two that are starting cover it.
    expect(await provisioner.onUnmetDemand({ jobId: JOB, count: 4, target: 'session', free: 1 })).toBe('2 TaskManager(s) are starting');
    expect(provider.started).toHaveLength(2);
  });

  it('stops at MAX_TASKMANAGERS and says so', async () => {
    const { provisioner, provider, registerStarted } = setup({ maxTaskManagers: 3 });
    await provisioner.onUnmetDemand({ jobId: JOB, count: 4, target: 'session', free: 0 });
    registerStarted(2);
    expect(await provisioner.onUnmetDemand({ jobId: JobIds.parse('b'.repeat(32)), count: 6, target: 'session', free: 0 })).toBe(
      'starting 1 TaskManager(s) with 2 slots each (MAX_TASKMANAGERS=3 allows no more)',
    );
    registerStarted(2);
    expect(await provisioner.onUnmetDemand({ jobId: JobIds.parse('c'.repeat(32)), count: 2, target: 'session', free: 0 })).toMatch(/MAX_TASKMANAGERS=3/);
    expect(provider.started).toHaveLength(3);
  });

  it('releases idle TaskManagers after TM_IDLE_TIMEOUT_MS, down to MIN_TASKMANAGERS', async () => {
    const { provisioner, provider, registered, registerStarted, advance } = setup({ minTaskManagers: 1, tmIdleTimeoutMs: 5_000 });
    await provisioner.tick(); // the minimum is started at once
    expect(provider.started).toHaveLength(1);
    await provisioner.onUnmetDemand({ jobId: JOB, count: 6, target: 'session', free: 0 });
    registerStarted();
    expect(registered).toHaveLength(3);
    await provisioner.tick();
    advance(4_000);
    await provisioner.tick();
    expect(provider.released).toEqual([]);
    advance(1_000);
    await provisioner.tick();
    expect(provider.released).toEqual(['tm-1', 'tm-2']);
  });

  it('keeps a busy TaskManager, counting its idle time from when it was last busy', async () => {
    const { provisioner, provider, registered, registerStarted, advance } = setup({ tmIdleTimeoutMs: 5_000 });
    await provisioner.onUnmetDemand({ jobId: JOB, count: 2, target: 'session', free: 0 });
    registerStarted(2);
    await provisioner.tick();
    advance(10_000);
    await provisioner.tick();
    expect(provider.released).toEqual([]);
    Object.assign(registered[0], { allocated: 0 });
    await provisioner.tick();
    advance(5_000);
    await provisioner.tick();
    expect(provider.released).toEqual(['tm-1']);
  });

  it('starts per-job TaskManagers for the job alone and stops them when it ends', async () => {
    const { provisioner, provider, registered, statuses, registerStarted } = setup();
    statuses.set(JOB, 'RUNNING');
    expect(await provisioner.onUnmetDemand({ jobId: JOB, count: 3, target: 'per-job', free: 0 })).toBe('starting 2 TaskManager(s) with 2 slots each for this job alone');
    expect(provider.started.map((s) => s.spec.dedicatedTo)).toEqual([JOB, JOB]);
    registerStarted(2);
    await provisioner.tick();
    expect(provider.released).toEqual([]);
    statuses.set(JOB, 'FINISHED');
    for (const r of registered) Object.assign(r, { allocated: 0 });
    await provisioner.tick();
    expect(provider.released.sort()).toEqual(['tm-1', 'tm-2']);
  });

  it('stops a crash loop after TM_MAX_FAILURES within the window, saying why, and allows again later', async () => {
    const { provisioner, provider, advance } = setup({ tmMaxFailures: 2, tmFailureWindowMs: 10_000 });
    await provisioner.onUnmetDemand({ jobId: JOB, count: 2, target: 'session', free: 0 });
    provider.events!.lost({ resourceId: 'tm-1' as ResourceId, released: false, description: 'TaskManager tm-1 (pid 9) exited with code 1' });
    await provisioner.onUnmetDemand({ jobId: JOB, count: 2, target: 'session', free: 0 });
    provider.events!.lost({ resourceId: 'tm-2' as ResourceId, released: false, description: 'TaskManager tm-2 (pid 10) exited with code 1' });
    const refusal = await provisioner.onUnmetDemand({ jobId: JOB, count: 2, target: 'session', free: 0 });
    expect(refusal).toMatch(/2 TaskManagers failed within 10000 ms .*Last failure: TaskManager tm-2 \(pid 10\) exited with code 1/);
    expect(provider.started).toHaveLength(2);
    advance(10_001);
    expect(await provisioner.onUnmetDemand({ jobId: JOB, count: 2, target: 'session', free: 0 })).toBe('starting 1 TaskManager(s) with 2 slots each');
  });

  it('a TaskManager whose process exited is lost at once and its JobMasters told; a released one, or on a standby, not', async () => {
    const { provisioner, provider, registerStarted, unreachable, noticed, leadership } = setup();
    await provisioner.onUnmetDemand({ jobId: JOB, count: 6, target: 'session', free: 0 });
    registerStarted(2);
    const settled = () => new Promise((r) => setImmediate(r));
    provider.events!.lost({ resourceId: 'tm-1' as ResourceId, released: false, description: 'TaskManager tm-1 (pid 9) exited with signal SIGKILL' });
    await settled();
    expect(unreachable).toEqual(['tm-1']);
    expect(noticed).toEqual([['tm-1']]);
    provider.events!.lost({ resourceId: 'tm-2' as ResourceId, released: true, description: 'TaskManager tm-2 (pid 10) exited with code 0' });
    await settled();
    expect(unreachable).toEqual(['tm-1']);
    leadership.enterElection();
    provider.events!.lost({ resourceId: 'tm-3' as ResourceId, released: false, description: 'TaskManager tm-3 (pid 11) exited with code 1' });
    await settled();
    expect(unreachable).toEqual(['tm-1']);
    expect(noticed).toEqual([['tm-1']]);
  });

  it('refuses a per-job request when the provider starts nothing (standalone)', () => {
    const standalone = new ResourceProvisioner(
      { name: 'standalone', managesTaskManagers: false, requestTaskManagers: async () => [], release: async () => undefined, running: () => new Set() },
      {} as TaskManagerRegistry, {} as JobStore, new ResourceManagerSettings(), new LeadershipState('rm'), () => 0, { id: 'rm' } as ServiceIdentity,
      {} as TaskManagerLoss,
    );
    expect(() => standalone.checkTarget('per-job')).toThrow(/needs a resource provider that starts TaskManagers \(RESOURCE_PROVIDER=process\)/);
    expect(() => standalone.checkTarget('session')).not.toThrow();
  });
});
