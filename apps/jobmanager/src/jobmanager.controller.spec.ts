/**
 * The JobManager's RPC boundary: a message whose ids do not parse is answered VALIDATION_FAILED,
 * naming the field, and never reaches the JobManagerService; one that does reaches it with ids
 * that ids.ts accepts as they are.
 */
import { CheckpointIds, ExecutionAttemptIds, JobIds, PROTOCOL_VERSION, type AcknowledgeCheckpointRequest, type ReplyEnvelope } from '@runnel/protocol';
import type { ServiceIdentity } from '@runnel/service-kit';
import { JobManagerController } from './jobmanager.controller';
import type { JobManagerService } from './jobmaster/job-manager.service';

const identity: ServiceIdentity = { service: 'jobmanager', id: 'jm-spec', version: '0.0.0', natsUrl: 'nats://x:1', startedAt: 0, database: false };

function setup() {
  const acknowledged: AcknowledgeCheckpointRequest[] = [];
  // A hand-written fake of the one service method this boundary calls.
  const jobs = { acknowledgeCheckpoint: async (request: AcknowledgeCheckpointRequest) => (acknowledged.push(request), {}) } as unknown as JobManagerService;
  const controller = new JobManagerController(jobs, identity);
  // The decorated method takes the raw payload off the wire and answers with an envelope.
  const send = (payload: unknown) => (controller.acknowledgeCheckpoint as unknown as (p: unknown) => Promise<ReplyEnvelope>).call(controller, payload);
  return { send, acknowledged };
}

const ack = {
  protocolVersion: PROTOCOL_VERSION,
  jobId: 'a'.repeat(32),
  executionAttemptId: '0123456789abcdef0123456789abcdef',
  checkpointId: 7,
  handle: 'job/chk-7/src/0',
  size: 1,
  checksum: 'f'.repeat(64),
};

describe('JobManagerController: ids at the RPC boundary', () => {
  it.each([
    ['executionAttemptId', 'ABCDEF0123456789ABCDEF0123456789'],
    ['executionAttemptId', 'tm-1'],
    ['jobId', 'a'.repeat(31)],
    ['checkpointId', 0],
    ['checkpointId', 1.5],
    // An integer, but not a safe one: CheckpointIds.parse refuses it, so the DTO does too.
    ['checkpointId', 2 ** 53],
  ])('answers a malformed %s (%p) with VALIDATION_FAILED, before any service sees it', async (field, value) => {
    const { send, acknowledged } = setup();
    const envelope = await send({ ...ack, [field]: value });
    expect(envelope.ok).toBe(false);
    const error = (envelope as Extract<ReplyEnvelope, { ok: false }>).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details as { violations: { field: string }[] }).violations.map((v) => v.field)).toEqual([field]);
    expect(acknowledged).toHaveLength(0);
  });

  it('hands a well-formed message to the service with ids that parse as they are', async () => {
    const { send, acknowledged } = setup();
    expect((await send(ack)).ok).toBe(true);
    expect(acknowledged).toHaveLength(1);
    const [request] = acknowledged;
    expect(JobIds.parse(request.jobId)).toBe(ack.jobId);
    expect(ExecutionAttemptIds.parse(request.executionAttemptId)).toBe(ack.executionAttemptId);
    expect(CheckpointIds.parse(request.checkpointId)).toBe(ack.checkpointId);
  });
});
