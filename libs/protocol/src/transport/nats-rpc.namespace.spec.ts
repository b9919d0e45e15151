/**
 * Cluster namespaces on the wire (RUNNEL_TEST_NATS_URL, default the local NATS): two "TaskManagers"
 * with the same ResourceId in two clusters on one NATS, each reached only by its own cluster's
 * clients; the queue group is namespaced too.
 */
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NatsConnection, connect } from 'nats';
import { randomBytes } from 'node:crypto';
import {
  ClusterNamespace, EmptyRequest, HandleRpc, NatsRpcClient, NoRespondersError, ResourceIds, RunnelNatsServer, TaskExecutorProtocol,
  decodeJson, encodeJson, taskExecutorGateway,
} from '../index';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const resourceId = ResourceIds.generate('ns-spec');
// Unique per run, so concurrent runs never answer each other.
const clusterId = `t${randomBytes(4).toString('hex')}`;

let answeredBy = '';

@Controller()
class EchoController {
  @HandleRpc(TaskExecutorProtocol.info)
  async info(_request: EmptyRequest) {
    return { service: 'taskmanager', id: answeredBy, version: '0.0.0', uptimeMs: 1, pid: process.pid };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function startServer(namespace?: ClusterNamespace): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(EchoModule, {
    strategy: new RunnelNatsServer({ servers: NATS_URL, subjectParams: { resourceId }, queue: 'runnel.taskmanager', ...(namespace ? { namespace } : {}) }),
    logger: false,
  });
  await app.listen();
  return app;
}

describe('NATS transport in a cluster namespace', () => {
  const namespace = ClusterNamespace.of(clusterId);
  let inCluster: INestMicroservice;
  let nc: NatsConnection;

  beforeAll(async () => {
    inCluster = await startServer(namespace);
    nc = await connect({ servers: NATS_URL });
  });

  afterAll(async () => {
    await inCluster?.close();
    await nc?.drain();
  });

  it("subscribes the handler under the cluster's prefix, placeholders bound", async () => {
    answeredBy = 'namespaced';
    const reply = await nc.request(`runnel.${clusterId}.taskmanager.${resourceId}.info`, encodeJson({ protocolVersion: 1 }), { timeout: 2000 });
    expect(decodeJson(reply.data)).toMatchObject({ ok: true, value: { id: 'namespaced' } });
  });

  it("calls through a client of the same cluster, and a default-cluster client finds nobody", async () => {
    answeredBy = 'namespaced';
    const client = new NatsRpcClient(nc, { timeoutMs: 2000, namespace });
    expect(client.namespace).toBe(namespace);
    expect((await taskExecutorGateway(client, resourceId).info({})).id).toBe('namespaced');
    const error = await taskExecutorGateway(new NatsRpcClient(nc, { timeoutMs: 2000 }), resourceId).info({}).catch((e) => e);
    expect(error).toBeInstanceOf(NoRespondersError);
    expect(error.message).toContain(`runnel.taskmanager.${resourceId}.info`);
  });

  it('keeps a default-cluster service with the same ResourceId apart', async () => {
    const inDefault = await startServer();
    try {
      const viaDefault = taskExecutorGateway(new NatsRpcClient(nc, { timeoutMs: 2000 }), resourceId);
      const viaCluster = taskExecutorGateway(new NatsRpcClient(nc, { timeoutMs: 2000, namespace }), resourceId);
      answeredBy = 'either';
      // Both answer `info` with the shared variable, so count replies per subject instead.
      const sub = nc.subscribe(`runnel.${clusterId}.taskmanager.${resourceId}.>`, { queue: 'spy' });
      const seen: string[] = [];
      void (async () => {
        for await (const m of sub) seen.push(m.subject);
      })();
      await viaDefault.info({});
      await viaCluster.info({});
      await nc.flush();
      sub.unsubscribe();
      expect(seen).toEqual([`runnel.${clusterId}.taskmanager.${resourceId}.info`]);
    } finally {
      await inDefault.close();
    }
  });
});
