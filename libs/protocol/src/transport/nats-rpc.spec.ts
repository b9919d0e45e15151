/**
 * The transport end to end against a real NATS server (RUNNEL_TEST_NATS_URL, default the local one):
 * a Nest microservice with @HandleRpc handlers on one side, the typed gateway client on the other.
 * Subjects carry a random ResourceId, so concurrent runs never answer each other.
 */
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NatsConnection, connect } from 'nats';
import {
  EmptyRequest,
  HandleRpc,
  NatsRpcClient,
  NoRespondersError,
  NotFoundError,
  RequestTimeoutError,
  ResourceIds,
  RunnelNatsServer,
  TaskExecutorProtocol,
  ValidationError,
  decodeJson,
  encodeJson,
  taskExecutorGateway,
} from '../index';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const resourceId = ResourceIds.generate('spec');
let behaviour: 'ok' | 'not-found' | 'hang' | 'crash' = 'ok';

@Controller()
class FakeTaskManagerController {
  @HandleRpc(TaskExecutorProtocol.info)
  async info(_request: EmptyRequest) {
    return { service: 'taskmanager', id: resourceId, version: '0.0.0', uptimeMs: 1, pid: process.pid };
  }

  @HandleRpc(TaskExecutorProtocol.requestSlotReport)
  async slots() {
    if (behaviour === 'not-found') throw new NotFoundError('TaskManager', resourceId);
    if (behaviour === 'crash') throw new TypeError('boom');
    if (behaviour === 'hang') await new Promise((resolve) => setTimeout(resolve, 1500).unref());
    return { resourceId, slots: [{ index: 0 }, { index: 1, allocationId: 'a'.repeat(32), jobId: 'b'.repeat(32) }] };
  }
}

@Module({ controllers: [FakeTaskManagerController] })
class FakeModule {}

describe('NATS gateway transport', () => {
  let app: INestMicroservice;
  let nc: NatsConnection;
  let client: NatsRpcClient;

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(FakeModule, {
      strategy: new RunnelNatsServer({ servers: NATS_URL, subjectParams: { resourceId } }),
      logger: false,
    });
    await app.listen();
    nc = await connect({ servers: NATS_URL });
    client = new NatsRpcClient(nc, { timeoutMs: 2000 });
  });

  afterAll(async () => {
    await app?.close();
    await nc?.drain();
  });

  beforeEach(() => (behaviour = 'ok'));

  it('calls a method through the typed gateway and validates the reply', async () => {
    const gateway = taskExecutorGateway(client, resourceId);
    const report = await gateway.requestSlotReport({});
    expect(report.resourceId).toBe(resourceId);
    expect(report.slots).toHaveLength(2);
    expect(report.slots[1].jobId).toBe('b'.repeat(32));
  });

  it('rebuilds the named error class from the code on the wire', async () => {
    behaviour = 'not-found';
    const error = await taskExecutorGateway(client, resourceId).requestSlotReport({}).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`TaskManager ${resourceId} not found`);
  });

  it('answers an unexpected failure as INTERNAL with its message', async () => {
    behaviour = 'crash';
    await expect(taskExecutorGateway(client, resourceId).requestSlotReport({})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'boom',
    });
  });

  it('answers a message of another protocol version with a validation error', async () => {
    const reply = await nc.request(`runnel.taskmanager.${resourceId}.requestSlotReport`, encodeJson({ protocolVersion: 7 }), { timeout: 2000 });
    const envelope = decodeJson(reply.data) as { ok: boolean; error: { code: string; details: { violations: { field: string }[] } } };
    expect(envelope.ok).toBe(false);
    expect(envelope.error.code).toBe('VALIDATION_FAILED');
    expect(envelope.error.details.violations.map((v) => v.field)).toEqual(['protocolVersion']);
  });

  it('answers a payload that is not JSON with a validation error, not silence', async () => {
    const reply = await nc.request(`runnel.taskmanager.${resourceId}.info`, new TextEncoder().encode('{nope'), { timeout: 2000 });
    expect(decodeJson(reply.data)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('turns no reply within the timeout into a timeout error naming the subject', async () => {
    behaviour = 'hang';
    const error = await taskExecutorGateway(client, resourceId).requestSlotReport({}, { timeoutMs: 200 }).catch((e) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.message).toBe(`No reply on runnel.taskmanager.${resourceId}.requestSlotReport within 200 ms`);
  });

  it('says so when nobody listens on a subject', async () => {
    const error = await taskExecutorGateway(client, ResourceIds.generate('nobody')).info({}).catch((e) => e);
    expect(error).toBeInstanceOf(NoRespondersError);
    expect(error.code).toBe('NO_RESPONDERS');
  });

  it('is an error class the caller can branch on', () => {
    expect(new ValidationError('x', []).code).toBe('VALIDATION_FAILED');
  });
});
