/**
 * A TaskDeploymentDescriptor: everything a TaskManager needs to run one subtask. It carries no
 * user code: the TaskManager fetches the artifact by hash, rebuilds the JobGraph from it and checks
 * the graph hash, then binds the vertex's functions by operator uid.
 */
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { IsStateHandle } from '../../paths/state-handle.validator';
import type { AllocationId, CheckpointId, ExecutionAttemptId, JobId } from '../../ids/ids';
import { IsAllocationId, IsCheckpointId, IsExecutionAttemptId, IsJobId } from '../../ids/id.validators';

const SHA256 = /^[0-9a-f]{64}$/;

/** An edge of the JobGraph that touches the deployed vertex: enough to wire in-process channels. */
export class ExchangeEdge {
  /** Position of the edge in the JobGraph's edge list; names its data subjects. */
  @IsInt() @Min(0) index!: number;
  @IsString() source!: string;
  @IsString() target!: string;
  /** Forward edges connect subtask i to subtask i only. */
  @IsBoolean() forward!: boolean;
}

/** One task's state in a checkpoint. */
export class StateHandle {
  @IsString() @MaxLength(255) vertexId!: string;
  @IsInt() @Min(0) subtaskIndex!: number;
  @IsString() @IsStateHandle() handle!: string;
  @Matches(SHA256, { message: 'checksum must be a sha256 in hex' }) checksum!: string;
}

/** What a task restores: the state of its vertex's subtasks in a checkpoint (all of them, for rescaling). */
export class RestoreSpec {
  @IsCheckpointId() checkpointId!: CheckpointId;
  /** The vertex's parallelism when the checkpoint was taken. */
  @IsInt() @Min(1) parallelism!: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => StateHandle) handles!: StateHandle[];
}

export class TaskDeploymentDescriptor extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsString() @MaxLength(255) jobName!: string;
  /** The job's execution attempt (restarts increase it); names its data stream and subjects. */
  @IsInt() @Min(0) attempt!: number;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  @IsAllocationId() allocationId!: AllocationId;
  @IsInt() @Min(0) slotIndex!: number;
  @IsString() @MaxLength(255) vertexId!: string;
  /** The task's and its chained operators' names: labels of the TaskManager's own metric series. */
  @IsOptional() @IsString() @MaxLength(1024) taskName?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(255, { each: true }) operatorNames?: string[];
  @IsInt() @Min(0) subtaskIndex!: number;
  @Matches(SHA256, { message: 'artifactHash must be a sha256 in hex' }) artifactHash!: string;
  @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) programArgs!: string[];
  @IsOptional() @IsInt() @Min(1) parallelism?: number;
  @Matches(SHA256, { message: 'jobGraphHash must be a sha256 in hex' }) jobGraphHash!: string;
  /** The job's JetStream data stream, shared by its attempts (this attempt's subjects and consumers carry its number). */
  @IsString() dataStream!: string;
  /** Where every subtask runs: vertexId → ResourceId per subtask index (picks in-process channels). */
  @IsObject() locations!: Record<string, string[]>;
  /** The slot (allocation id) of every subtask, like `locations`: channels within one slot need no port and no copy. */
  @IsOptional() @IsObject() slots?: Record<string, string[]>;
  /** In- and out-edges of the vertex. */
  @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => ExchangeEdge) edges!: ExchangeEdge[];
  /** Present when the task restarts from a checkpoint. */
  @IsOptional() @ValidateNested() @Type(() => RestoreSpec) restore?: RestoreSpec;
  /** Checkpointing of the job, when enabled: how tasks align barriers. */
  @IsOptional() @IsIn(['exactly-once', 'at-least-once']) checkpointMode?: 'exactly-once' | 'at-least-once';
}

export class TaskRequest extends ProtocolMessage {
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
}
