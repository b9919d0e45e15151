import { NoRespondersError, ResourceId, UnknownTaskManagerError, testingResourceManagerGateway } from '@runnel/protocol';
import { TaskSlotTable } from '../slots/task-slot-table';
import { ResourceManagerConnection } from './resource-manager-connection.service';

const rid = 'tm-spec' as ResourceId;

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup() {
  let rmId = 'rm-1';
  let registrations = 0;
  const rm = testingResourceManagerGateway({
    registerTaskExecutor: async () => ({
      registrationId: `00000000-0000-4000-8000-00000000000${++registrations}`,
      resourceManagerId: rmId,
      heartbeatIntervalMs: 5,
      heartbeatTimeoutMs: 50,
    }),
    heartbeatFromTaskManager: async (request) => {
      if (request.resourceManagerId !== rmId) throw new UnknownTaskManagerError(rid, 'new ResourceManager');
      return {};
    },
    disconnectTaskExecutor: async () => ({}),
  });
  const connection = new ResourceManagerConnection(rm, rid, new TaskSlotTable(3), { version: '0.0.1', minBackoffMs: 1, maxBackoffMs: 4 });
  return { rm, connection, restartResourceManager: (id: string) => (rmId = id) };
}

describe('ResourceManagerConnection', () => {
  it('registers with its slots, then heartbeats with a slot report', async () => {
    const { rm, connection } = setup();
    connection.start('http://127.0.0.1:1');
    await until(() => rm.calls.heartbeatFromTaskManager.length >= 2, 'two heartbeats');
    expect(rm.calls.registerTaskExecutor[0]).toMatchObject({ resourceId: rid, slots: 3, address: 'http://127.0.0.1:1', slotReport: [] });
    expect(rm.calls.heartbeatFromTaskManager[0]).toMatchObject({
      resourceId: rid,
      registrationId: '00000000-0000-4000-8000-000000000001',
      slotReport: [{ index: 0 }, { index: 1 }, { index: 2 }],
    });
    await connection.onApplicationShutdown();
    expect(rm.calls.disconnectTaskExecutor).toHaveLength(1);
  });

  it('keeps trying while no ResourceManager answers', async () => {
    const { rm, connection } = setup();
    const register = rm.handlers.registerTaskExecutor!;
    let failures = 0;
    rm.handlers.registerTaskExecutor = async (request, options) => {
      if (failures++ < 3) throw new NoRespondersError('runnel.resourcemanager.registerTaskExecutor');
      return register(request, options);
    };
    connection.start('http://x');
    await until(() => connection.current.type === 'registered', 'registration');
    expect(rm.calls.registerTaskExecutor).toHaveLength(4);
    await connection.onApplicationShutdown();
  });

  it('registers again when the ResourceManager no longer knows it', async () => {
    const { rm, connection, restartResourceManager } = setup();
    connection.start('http://x');
    await until(() => rm.calls.heartbeatFromTaskManager.length >= 1, 'first heartbeat');
    restartResourceManager('rm-2');
    await until(() => connection.registrations === 2, 're-registration');
    expect(connection.current).toMatchObject({ type: 'registered', resourceManagerId: 'rm-2' });
    await connection.onApplicationShutdown();
  });
});
