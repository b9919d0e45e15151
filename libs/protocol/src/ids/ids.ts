/**
 * Branded ids: the only module that makes or parses them, so a JobId can never be passed where an
 * AllocationId is expected and every id that crosses the wire has been checked once, here.
 */
import { randomBytes } from 'node:crypto';
import { InvalidIdError } from '../errors/runnel-errors';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A job, as in Flink: 32 lower-case hex characters. */
export type JobId = Brand<string, 'JobId'>;
/** One attempt of one subtask (an Execution in Flink terms). */
export type ExecutionAttemptId = Brand<string, 'ExecutionAttemptId'>;
/** One allocation of a slot to a job; a slot gets a new one each time it is allocated. */
export type AllocationId = Brand<string, 'AllocationId'>;
/** A TaskManager; stable across restarts of the same TaskManager so it can re-register cleanly. */
export type ResourceId = Brand<string, 'ResourceId'>;
/** A slot: the TaskManager's ResourceId and the slot's index, as Flink's SlotID. */
export type SlotId = Brand<string, 'SlotId'>;
/** A checkpoint of a job: increasing from 1 per job. */
export type CheckpointId = Brand<number, 'CheckpointId'>;

const HEX32 = /^[0-9a-f]{32}$/;
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SLOT_ID = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})#(\d{1,4})$/;

function hex32(): string {
  return randomBytes(16).toString('hex');
}

function parseHex32<T>(kind: string, value: unknown): T {
  if (typeof value !== 'string' || !HEX32.test(value)) {
    throw new InvalidIdError(kind, value, '32 lower-case hex characters');
  }
  return value as T;
}

export const JobIds = {
  generate: (): JobId => hex32() as JobId,
  parse: (value: unknown): JobId => parseHex32<JobId>('JobId', value),
  isValid: (value: unknown): value is JobId => typeof value === 'string' && HEX32.test(value),
} as const;

export const ExecutionAttemptIds = {
  generate: (): ExecutionAttemptId => hex32() as ExecutionAttemptId,
  parse: (value: unknown): ExecutionAttemptId => parseHex32<ExecutionAttemptId>('ExecutionAttemptId', value),
  isValid: (value: unknown): value is ExecutionAttemptId => typeof value === 'string' && HEX32.test(value),
} as const;

export const AllocationIds = {
  generate: (): AllocationId => hex32() as AllocationId,
  parse: (value: unknown): AllocationId => parseHex32<AllocationId>('AllocationId', value),
  isValid: (value: unknown): value is AllocationId => typeof value === 'string' && HEX32.test(value),
} as const;

export const ResourceIds = {
  /** A fresh id for a TaskManager started without one: readable, unique enough for a cluster. */
  generate: (prefix = 'tm'): ResourceId => `${prefix}-${randomBytes(6).toString('hex')}` as ResourceId,
  parse: (value: unknown): ResourceId => {
    if (typeof value !== 'string' || !RESOURCE_ID.test(value)) {
      throw new InvalidIdError('ResourceId', value, 'letters, digits, ".", "_" or "-", at most 128, not starting with a symbol');
    }
    return value as ResourceId;
  },
  isValid: (value: unknown): value is ResourceId => typeof value === 'string' && RESOURCE_ID.test(value),
  pattern: RESOURCE_ID,
} as const;

export const SlotIds = {
  of: (resourceId: ResourceId, slotIndex: number): SlotId => {
    if (!Number.isInteger(slotIndex) || slotIndex < 0 || slotIndex > 9999) {
      throw new InvalidIdError('SlotId', slotIndex, 'a slot index from 0 to 9999');
    }
    return `${resourceId}#${slotIndex}` as SlotId;
  },
  parse: (value: unknown): SlotId => {
    if (typeof value !== 'string' || !SLOT_ID.test(value)) {
      throw new InvalidIdError('SlotId', value, '<resourceId>#<slot index>');
    }
    return value as SlotId;
  },
  isValid: (value: unknown): value is SlotId => typeof value === 'string' && SLOT_ID.test(value),
  split: (slotId: SlotId): { resourceId: ResourceId; slotIndex: number } => {
    const match = SLOT_ID.exec(slotId);
    if (!match) throw new InvalidIdError('SlotId', slotId, '<resourceId>#<slot index>');
    return { resourceId: match[1] as ResourceId, slotIndex: Number(match[2]) };
  },
} as const;

export const CheckpointIds = {
  first: 1 as CheckpointId,
  next: (id: CheckpointId): CheckpointId => (id + 1) as CheckpointId,
  parse: (value: unknown): CheckpointId => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidIdError('CheckpointId', value, 'a positive integer');
    }
    return value as CheckpointId;
  },
  isValid: (value: unknown): value is CheckpointId => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1,
} as const;
