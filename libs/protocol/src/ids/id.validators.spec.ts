/**
 * The id decorators accept exactly what ids.ts parses, so a DTO field typed as a branded id holds
 * one once validateMessage has accepted the message (replies included, on the caller's side).
 */
import {
  AllocationIds, CheckpointIds, ExecutionAttemptIds, JobIds, ResourceIds, SlotAllocationsReply, SlotIds, TriggerCheckpointRequest, PROTOCOL_VERSION,
  ValidationError, validateMessage,
} from '../index';

const candidates: unknown[] = [
  '0123456789abcdef0123456789abcdef', 'ABCDEF0123456789abcdef0123456789', 'a'.repeat(31), 'a'.repeat(33), 'tm-1', 'tm-1#3', 'tm 1', '-tm', 'x'.repeat(129),
  '', 0, 1, 7, 1.5, -1, 2 ** 53, null, undefined, {}, ['tm-1'],
];

const allocation = { allocationId: 'a'.repeat(32), resourceId: 'tm-1', slotIndex: 0, slotId: 'tm-1#0', address: 'http://x' };
const trigger = { protocolVersion: PROTOCOL_VERSION, jobId: 'b'.repeat(32), executionAttemptId: 'c'.repeat(32), checkpointId: 1, timestamp: 0, mode: 'exactly-once' };

function accepts(dto: new () => object, payload: object): boolean {
  try {
    validateMessage(dto, payload);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return false;
  }
}

describe('id validators', () => {
  it.each(candidates.map((value) => [value]))('agree with ids.ts on %p', (value) => {
    expect(accepts(TriggerCheckpointRequest, { ...trigger, jobId: value })).toBe(JobIds.isValid(value));
    expect(accepts(TriggerCheckpointRequest, { ...trigger, executionAttemptId: value })).toBe(ExecutionAttemptIds.isValid(value));
    expect(accepts(TriggerCheckpointRequest, { ...trigger, checkpointId: value })).toBe(CheckpointIds.isValid(value));
    const reply = (field: string) => ({ protocolVersion: PROTOCOL_VERSION, allocations: [{ ...allocation, [field]: value }] });
    expect(accepts(SlotAllocationsReply, reply('allocationId'))).toBe(AllocationIds.isValid(value));
    expect(accepts(SlotAllocationsReply, reply('resourceId'))).toBe(ResourceIds.isValid(value));
    expect(accepts(SlotAllocationsReply, reply('slotId'))).toBe(SlotIds.isValid(value));
  });

  it('name the field and the expected shape', () => {
    expect(() => validateMessage(TriggerCheckpointRequest, { ...trigger, executionAttemptId: 'x' })).toThrow(/executionAttemptId must be 32 lower-case hex characters/);
    expect(() => validateMessage(SlotAllocationsReply, { protocolVersion: PROTOCOL_VERSION, allocations: [{ ...allocation, resourceId: 'a b' }] })).toThrow(
      /resourceId must be letters, digits/,
    );
  });
});
