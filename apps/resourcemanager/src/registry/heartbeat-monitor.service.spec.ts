import { LeadershipState } from '@runnel/service-kit';
import { HeartbeatMonitor, type LostTaskManagersNotice } from './heartbeat-monitor.service';
import type { ResourceManagerSettings } from '../resourcemanager.settings';
import type { TaskManagerRegistry } from './task-manager-registry.service';

describe('HeartbeatMonitor', () => {
  function setup(expired: { resourceId: string; resourceManagerId: string }[], standby = false) {
    const reported: string[][] = [];
    const asked: number[] = [];
    const registry = { expireSilentWithEpoch: async (timeoutMs: number) => (asked.push(timeoutMs), expired) } as unknown as TaskManagerRegistry;
    const notice: LostTaskManagersNotice = { taskManagersLost: async ({ resourceIds }) => (reported.push(resourceIds), {}) };
    const leadership = new LeadershipState('rm-1');
    if (standby) leadership.enterElection();
    const monitor = new HeartbeatMonitor(registry, { heartbeatTimeoutMs: 0 } as ResourceManagerSettings, leadership, { id: 'rm-1' } as never, notice);
    monitor.onApplicationBootstrap();
    monitor.onApplicationShutdown(); // sweeps are called by the test, not by the timer
    return { monitor, leadership, reported, asked };
  }

  it('reports the TaskManagers it found lost to the JobManager at once, so jobs need not wait for their poll', async () => {
    const t = setup([{ resourceId: 'tm-a', resourceManagerId: 'rm-1' }, { resourceId: 'tm-b', resourceManagerId: 'rm-0' }]);
    expect(await t.monitor.sweep()).toEqual(['tm-a', 'tm-b']);
    expect(t.reported).toEqual([['tm-a', 'tm-b']]);
  });

  it('says nothing of a sweep that meets the database closing while the service stops, and starts none after', async () => {
    let fail!: (error: Error) => void;
    const registry = { expireSilentWithEpoch: () => new Promise((_, reject) => (fail = reject)) } as unknown as TaskManagerRegistry;
    const monitor = new HeartbeatMonitor(registry, { heartbeatTimeoutMs: 0 } as ResourceManagerSettings, new LeadershipState('rm-1'), { id: 'rm-1' } as never, { taskManagersLost: async () => ({}) });
    const errors: string[] = [];
    (monitor as unknown as { logger: { error(m: string): void } }).logger = { error: (m: string) => errors.push(m) } as never;
    monitor.onApplicationBootstrap();
    const sweep = monitor.sweep();
    monitor.beforeApplicationShutdown();
    fail(new Error('Connection terminated'));
    expect(await sweep).toEqual([]);
    expect(errors).toEqual([]);
    expect(await monitor.sweep()).toEqual([]);
    monitor.onApplicationShutdown();
    // Not stopping, the same failure is an error (the case above is told apart by the shutdown alone).
    const running = new HeartbeatMonitor({ expireSilentWithEpoch: async () => { throw new Error('Connection terminated'); } } as unknown as TaskManagerRegistry, { heartbeatTimeoutMs: 0 } as ResourceManagerSettings, new LeadershipState('rm-1'), { id: 'rm-1' } as never, { taskManagersLost: async () => ({}) });
    (running as unknown as { logger: { error(m: string): void } }).logger = { error: (m: string) => errors.push(m) } as never;
    running.onApplicationBootstrap();
    running.onApplicationShutdown();
    await running.sweep();
    expect(errors).toEqual(['heartbeat sweep failed: Connection terminated']);
  });

  it('reports nothing when none was lost, and a standby neither sweeps nor reports', async () => {
    const standby = setup([{ resourceId: 'tm-a', resourceManagerId: 'rm-1' }], true);
    expect(await standby.monitor.sweep()).toEqual([]);
    expect([standby.asked, standby.reported]).toEqual([[], []]);
    const quiet = setup([]);
    expect(await quiet.monitor.sweep()).toEqual([]);
    expect(quiet.asked).toEqual([0]);
    expect(quiet.reported).toEqual([]);
  });
});
