/** Checkpoint messages: trigger, acknowledge or decline, complete; and the checkpoint views. */
import { Type } from 'class-transformer';
import { ValidateNested, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { IsStateHandle } from '../../paths/state-handle.validator';
import { IsJobGraph } from '../job-graph.validator';
import type { JobGraph } from '../job-graph.types';
import type { CheckpointId, ExecutionAttemptId, JobId } from '../../ids/ids';
import { IsCheckpointId, IsExecutionAttemptId, IsJobId } from '../../ids/id.validators';

const SHA256 = /^[0-9a-f]{64}$/;

export const CheckpointModes = { ExactlyOnce: 'exactly-once', AtLeastOnce: 'at-least-once' } as const;
export type CheckpointMode = (typeof CheckpointModes)[keyof typeof CheckpointModes];

/** JobMaster → TaskManager: a source task starts checkpoint n (Flink: triggerCheckpoint). */
export class TriggerCheckpointRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  @IsCheckpointId() checkpointId!: CheckpointId;
  @IsNumber() timestamp!: number;
  @IsIn(Object.values(CheckpointModes)) mode!: CheckpointMode;
}

/** Per-subtask checkpoint timings, in ms: first barrier seen → aligned, barrier injected → first seen, snapshot, state write. */
export class SubtaskCheckpointTimings {
  @IsNumber() @Min(0) alignmentDurationMs!: number;
  @IsNumber() @Min(0) startDelayMs!: number;
  @IsNumber() @Min(0) syncDurationMs!: number;
  @IsNumber() @Min(0) asyncDurationMs!: number;
  /** Bytes read between the first and the last barrier (Flink's alignment "processed"). */
  @IsOptional() @IsNumber() @Min(0) alignmentProcessedBytes?: number;
}

/** TaskManager → JobMaster: a task wrote its state for checkpoint n. */
export class AcknowledgeCheckpointRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  @IsCheckpointId() checkpointId!: CheckpointId;
  /** Where the state is, in the checkpoint store. */
  @IsString() @MaxLength(1024) @IsStateHandle() handle!: string;
  @IsInt() @Min(0) size!: number;
  @Matches(SHA256, { message: 'checksum must be a sha256 in hex' }) checksum!: string;
  /** How the task spent the checkpoint (Flink's per-subtask checkpoint statistics); optional for older TaskManagers. */
  @IsOptional() @ValidateNested() @Type(() => SubtaskCheckpointTimings) timings?: SubtaskCheckpointTimings;
}

export class DeclineCheckpointRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  @IsCheckpointId() checkpointId!: CheckpointId;
  @IsString() @MaxLength(4096) reason!: string;
}

/**
 * TaskManager → JobMaster: a task's input ended and it waits for a checkpoint to end with (its
 * final checkpoint); the coordinator triggers one soon instead of at the next interval.
 */
export class FinalCheckpointRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  /**
   * The newest checkpoint the task had seen (taken or triggered) when it asked: any later one
   * covers it. Absent: any checkpoint triggered after the request arrives.
   */
  @IsOptional() @IsInt() @Min(0) afterCheckpointId?: number;
}

/** JobMaster → TaskManager: checkpoint n is complete; sinks commit what it covers. */
export class NotifyCheckpointCompleteRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsInt() @Min(0) attempt!: number;
  @IsCheckpointId() checkpointId!: CheckpointId;
}

/** GET /jobs/:id/checkpoints in Flink's shape; entries are plain JSON objects in that shape. */
export class CheckpointsReply extends ProtocolMessage {
  @IsObject() counts!: Record<string, number>;
  @IsObject() summary!: Record<string, unknown>;
  @IsObject() latest!: Record<string, unknown>;
  @IsObject({ each: true }) history!: Record<string, unknown>[];
}

export class CheckpointConfigReply extends ProtocolMessage {
  @IsString() mode!: string;
  @IsNumber() interval!: number;
  @IsNumber() timeout!: number;
  @IsNumber() min_pause!: number;
  @IsNumber() max_concurrent!: number;
  @IsInt() tolerable_failed_checkpoints!: number;
  @IsInt() retained!: number;
  @IsBoolean() enabled!: boolean;
  @IsOptional() @IsObject() restart_strategy?: Record<string, unknown>;
  /** Flink's externalized checkpoints: whether a cancel deletes the retained checkpoints. */
  @IsOptional() @IsObject() externalization?: { enabled: boolean; delete_on_cancellation: boolean };
}

/** POST /jobs/:id/savepoints and POST /jobs/:id/stop. */
export class TriggerSavepointRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  /** Also write the savepoint to this directory (a self-contained copy). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) targetDirectory?: string;
  @IsOptional() @IsBoolean() cancelJob?: boolean;
  /** Stop with savepoint: the sources end and emit the maximum watermark first (Flink's --drain). */
  @IsOptional() @IsBoolean() drain?: boolean;
}

export class TriggerSavepointReply extends ProtocolMessage {
  @IsString() 'request-id'!: string;
}

export class SavepointStatusRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsString() @MaxLength(64) triggerId!: string;
}

/** Flink's asynchronous-operation result: {status: {id}, operation: {location} | {failure-cause}}. */
export class SavepointStatusReply extends ProtocolMessage {
  @IsObject() status!: { id: 'IN_PROGRESS' | 'COMPLETED' };
  @IsOptional() @IsObject() operation?: Record<string, unknown>;
}

export class SavepointsReply extends ProtocolMessage {
  @IsObject({ each: true }) savepoints!: Record<string, unknown>[];
}

/** A dry run of restoring a savepoint into a job graph: which state goes where. */
export class CheckSavepointRequest extends ProtocolMessage {
  @IsString() @MaxLength(4096) savepointPath!: string;
  @IsObject() @IsJobGraph() jobGraph!: JobGraph;
}

export class SavepointMappingReply extends ProtocolMessage {
  @IsString() savepointPath!: string;
  @IsObject({ each: true }) operators!: Record<string, unknown>[];
  @IsString({ each: true }) unmatched!: string[];
}
