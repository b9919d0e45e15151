import { AllocationIds, JobIds, NotFoundError, ResourceId, ResourceIds, SlotIds, testingResourceManagerGateway } from '@runnel/protocol';
import { ServiceIdentity } from '@runnel/service-kit';
import { ClusterViewService } from './cluster-view.service';

const identity: ServiceIdentity = { service: 'dispatcher', id: 'd', version: '9.9.9', natsUrl: 'nats://x:1', startedAt: 0, database: false };
const tm = {
  id: ResourceIds.parse('tm-a'), address: 'http://127.0.0.1:1', hostname: 'h', pid: 7, slotsNumber: 3, freeSlots: 2, registeredAt: 1,
  lastHeartbeat: 2, timeSinceLastHeartbeat: 3, cpuCores: 2, physicalMemory: 4, version: '0.1.0',
};

describe('ClusterViewService', () => {
  it("serves /overview in Flink's shape", async () => {
    const rm = testingResourceManagerGateway({
      getClusterOverview: async () => ({ taskManagers: 2, slotsTotal: 6, slotsAvailable: 5, jobsRunning: 1, jobsFinished: 2, jobsCancelled: 3, jobsFailed: 4 }),
    });
    expect(await new ClusterViewService(rm, identity).restOverview()).toEqual({
      taskmanagers: 2, 'slots-total': 6, 'slots-available': 5, 'jobs-running': 1, 'jobs-finished': 2, 'jobs-cancelled': 3, 'jobs-failed': 4, 'runnel-version': '9.9.9',
      'cluster-id': 'default',
    });
  });

  it('lists TaskManagers with their slots and allocations', async () => {
    const rm = testingResourceManagerGateway({
      listTaskManagers: async () => ({ taskManagers: [tm] }),
      getTaskManager: async () => ({
        taskManager: tm,
        slots: [
          { index: 0, slotId: SlotIds.parse('tm-a#0'), state: 'FREE' },
          { index: 1, slotId: SlotIds.parse('tm-a#1'), state: 'ALLOCATED', allocationId: AllocationIds.parse('a'.repeat(32)), jobId: JobIds.parse('b'.repeat(32)) },
        ],
      }),
    });
    const view = new ClusterViewService(rm, identity);
    expect((await view.restTaskManagers()).taskmanagers[0]).toMatchObject({ id: 'tm-a', path: 'http://127.0.0.1:1', slotsNumber: 3, freeSlots: 2, hardware: { cpuCores: 2 } });
    const details = await view.restTaskManager(ResourceIds.parse('tm-a'));
    expect(details.allocatedSlots).toEqual([{ index: 1, allocationId: 'a'.repeat(32), jobId: 'b'.repeat(32) }]);
    expect(rm.calls.getTaskManager).toEqual([{ resourceId: 'tm-a' }]);
  });

  it('refuses a malformed TaskManager id before asking anyone, and passes NOT_FOUND on', async () => {
    const rm = testingResourceManagerGateway({ getTaskManager: async () => Promise.reject(new NotFoundError('TaskManager', 'tm-z')) });
    const view = new ClusterViewService(rm, identity);
    // Forged past the type (a fixture cast): the service still parses before it asks anyone.
    await expect(view.restTaskManager('bad id*' as ResourceId)).rejects.toMatchObject({ code: 'INVALID_ID' });
    expect(rm.calls.getTaskManager).toHaveLength(0);
    await expect(view.restTaskManager(ResourceIds.parse('tm-z'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
