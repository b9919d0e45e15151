/**
 * The local cluster saw a TaskManager's process exit: it tells the ResourceManager, which
 * declares it lost at once (its slots freed, its jobs failing over now) instead of after
 * HEARTBEAT_TIMEOUT_MS of silence. The local cluster knows the process, not the ResourceId it
 * registered with, so the ResourceManager's list is searched by pid on this host.
 */
import { hostname } from 'node:os';
import { connect } from 'nats';
import type { ResourceId } from '@runnel/protocol';
import { ClusterNamespace, NatsRpcClient, resourceManagerGateway } from '@runnel/protocol/rpc-client';
import { natsConnectOptions, natsServers, type NatsCredentials } from '@runnel/protocol/nats-connect-options';

/** The ResourceId declared lost, or undefined when no registered TaskManager had that pid here. */
export async function reportExitedTaskManager(
  natsUrl: string,
  credentials: NatsCredentials | undefined,
  clusterId: string | undefined,
  pid: number,
  how: string,
): Promise<ResourceId | undefined> {
  const nc = await connect({ servers: natsServers(natsUrl), ...natsConnectOptions(credentials), timeout: 3000, reconnect: false });
  try {
    const rm = resourceManagerGateway(new NatsRpcClient(nc, { timeoutMs: 3000, namespace: ClusterNamespace.of(clusterId) }));
    const here = hostname();
    const tm = (await rm.listTaskManagers({})).taskManagers.find((t) => t.pid === pid && t.hostname === here);
    if (tm === undefined) return undefined;
    await rm.taskManagerUnreachable({ resourceId: tm.id, reason: `its process exited (pid ${pid}, ${how}; seen by the local cluster)` });
    return tm.id;
  } finally {
    await nc.close();
  }
}
