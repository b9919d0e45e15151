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
