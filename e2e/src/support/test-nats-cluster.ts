// A 3-node nats-server cluster of the test's own (routes on free loopback ports, JetStream file
// storage in a store directory per node), so a test can SIGKILL one node.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { findFreePort, startNatsServer, waitFor, type NatsServerHandle } from '@runnel/tools';

export interface TestNatsNode {
  /** Its server_name, as JetStream names it in `cluster.leader` / `cluster.replicas`. */
  readonly name: string;
  readonly handle: NatsServerHandle;
}

export interface TestNatsCluster {
  readonly nodes: readonly TestNatsNode[];
  /** Every node's client URL, comma-separated (a NATS_URL). */
  readonly url: string;
  node(name: string): TestNatsNode;
  /** Which node leads a stream now (undefined: none, e.g. during an election), asked over `nc`. */
  streamLeader(nc: NatsConnection, stream: string): Promise<string | undefined>;
  /** Stops every node that still runs and deletes the store directories. */
  stop(): Promise<void>;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

export async function startTestNatsCluster(size = 3): Promise<TestNatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-nats-cluster-'));
  const ports = await distinctFreePorts(2 * size);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const names = clientPorts.map((_, i) => `n${i + 1}`);
  const started: TestNatsNode[] = [];
  try {
    // All at once: JetStream answers only once a meta leader is elected, which needs a quorum.
    const handles = await Promise.all(
      names.map((name, i) => {
        const config = join(dir, `${name}.conf`);
        const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
        writeFileSync(
          config,
          [
            `server_name: ${name}`,
            `cluster {`,
            `  name: runnel-e2e`,
            `  listen: 127.0.0.1:${routePorts[i]}`,
            `  routes: [${routes.join(', ')}]`,
            `}`,
            '',
          ].join('\n'),
        );
        return startNatsServer({ storeDir: join(dir, name), port: clientPorts[i], configFile: config, startTimeoutMs: 30_000 }).then((handle) => {
          started.push({ name, handle });
          return handle;
        });
      }),
    );
    const nodes = names.map((name, i) => ({ name, handle: handles[i] }));
    const url = handles.map((h) => h.url).join(',');
    // Every node must see a meta leader (stream creation needs it).
    const nc = await connect({ servers: handles.map((h) => h.url), name: 'test-nats-cluster' });
    try {
      await waitFor(async () => (await nc.jetstreamManager({ timeout: 1000 }).then((jsm) => jsm.getAccountInfo()).then(() => true, () => false)), {
        description: 'the 3-node JetStream cluster to elect a meta leader',
        timeoutMs: 30_000,
      });
    } finally {
      await nc.close();
    }
    return {
      nodes,
      url,
      node: (name) => {
        const node = nodes.find((n) => n.name === name);
        if (!node) throw new Error(`no NATS node ${name} (nodes: ${names.join(', ')})`);
        return node;
      },
      async streamLeader(nc, stream) {
        try {
          const info = await (await nc.jetstreamManager({ timeout: 1000 })).streams.info(stream);
          return info.cluster?.leader || undefined;
        } catch {
          return undefined;
        }
      },
      async stop() {
        await Promise.allSettled(nodes.map((n) => n.handle.stop(5_000)));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((n) => n.handle.stop(2_000)));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
