/**
 * Requests and replies of the job views beyond GET /jobs/:id — a vertex, a subtask, checkpoint
 * details, the execution result, a triggered checkpoint, savepoint disposal — and of CPU profiles.
 * The views are Flink's REST shapes, built by the JobManager; only the envelope is checked here.
 */
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import type { CheckpointId, JobId } from '../../ids/ids';
import { IsCheckpointId, IsJobId } from '../../ids/id.validators';


/** Longest CPU profile a TaskManager takes (ms): a request stays within the RPC timeouts. */
export const MAX_PROFILE_DURATION_MS = 30_000;

export class JobVertexRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsString() @MinLength(1) @MaxLength(255) vertexId!: string;
}

export class SubtaskRequest extends JobVertexRequest {
  @IsInt() @Min(0) subtaskIndex!: number;
  /** A former attempt of the subtask (Flink: /subtasks/:i/attempts/:attempt); default the current one. */
  @IsOptional() @IsInt() @Min(0) attempt?: number;
}

export class JobExceptionsRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  /** Flink's maxExceptions: at most this many entries of the exception history. */
  @IsOptional() @IsInt() @Min(1) @Max(10_000) maxExceptions?: number;
}

export class CheckpointDetailsRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsCheckpointId() checkpointId!: CheckpointId;
  /** Per-subtask details of this vertex (…/details/:cid/subtasks/:vid). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255) vertexId?: string;
}

/** A view in Flink's REST shape: the JSON body the dispatcher serves as it is. */
export class JobViewReply extends ProtocolMessage {
  @IsObject() view!: Record<string, unknown>;
}

/** An asynchronous operation (checkpoint trigger, savepoint disposal) by its trigger id. */
export class OperationStatusRequest extends ProtocolMessage {
  @IsOptional() @IsJobId() jobId?: JobId;
  @IsString() @MaxLength(64) triggerId!: string;
}

/** Flink: POST /savepoint-disposal {"savepoint-path"}. */
export class DisposeSavepointRequest extends ProtocolMessage {
  @IsString() @MinLength(1) @MaxLength(4096) savepointPath!: string;
}

/** A CPU profile of slot workers (the inspector's sampling profiler) for `durationMs`. */
export class ProfileRequest extends ProtocolMessage {
  @IsInt() @Min(100) @Max(MAX_PROFILE_DURATION_MS) durationMs!: number;
  /** Only the workers running tasks of this job (and, with vertexId, of this vertex). */
  @IsOptional() @IsJobId() jobId?: JobId;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255) vertexId?: string;
  /** Only the worker running this subtask of the vertex. */
  @IsOptional() @IsInt() @Min(0) subtaskIndex?: number;
  /** Sampling interval of V8's profiler (µs). */
  @IsOptional() @IsInt() @Min(100) @Max(100_000) samplingIntervalUs?: number;
  @IsOptional() @IsIn(['full', 'on_cpu']) type?: 'full' | 'on_cpu';
}
