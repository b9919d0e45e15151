/** Messages about jobs: submission, the job store, task state updates and the status views. */
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { IsJobGraph, JobGraphLimits } from '../job-graph.validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { ExecutionState, ExecutionStates, JobStatus, JobStatuses } from '../job-status';
import { IsMetricSnapshot, type WireMetricSnapshot } from '../../metrics/metric-snapshot.validator';
import type { JobGraph } from '../job-graph.types';
import type { ExecutionAttemptId, JobId } from '../../ids/ids';
import { IsExecutionAttemptId, IsJobId } from '../../ids/id.validators';

const SHA256 = /^[0-9a-f]{64}$/;

export class JobRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
}

/** What the dispatcher hands the JobManager: the artifact, its arguments and the graph it built. */
export class SubmitJobRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsString() @MaxLength(255) jobName!: string;
  @Matches(SHA256, { message: 'artifactHash must be a sha256 in hex' }) artifactHash!: string;
  @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(65_536, { each: true }) programArgs!: string[];
  @IsOptional() @IsInt() @Min(1) @Max(JobGraphLimits.maxParallelism) parallelism?: number;
  /** The JobGraph as built by the dispatcher (plain JSON); TaskManagers rebuild and compare the hash. */
  /** Checked in full by IsJobGraph (job-graph.validator.ts): the JobManager uses it as it is. */
  @IsObject() @IsJobGraph() jobGraph!: JobGraph;
  @Matches(SHA256, { message: 'jobGraphHash must be a sha256 in hex' }) jobGraphHash!: string;
  /** Start from this savepoint (its path as GET /savepoints lists it, or a directory it was written to). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) savepointPath?: string;
  /** Start even when some of the savepoint's state belongs to no operator of this job. */
  @IsOptional() @IsBoolean() allowNonRestoredState?: boolean;
  /** `per-job`: on TaskManagers started for this job alone (needs a resource provider); default `session`. */
  @IsOptional() @IsIn(['session', 'per-job']) target?: 'session' | 'per-job';
}

export class SubmitJobReply extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
}

export class TaskFailure {
  @IsString() message!: string;
  @IsOptional() @IsString() stack?: string;
  @IsOptional() @IsString() name?: string;
}

export class TaskMetrics {
  @IsNumber() recordsIn!: number;
  @IsNumber() recordsOut!: number;
  @IsNumber() bytesIn!: number;
  @IsNumber() bytesOut!: number;
  /** Flink's task and operator metrics of the subtask (numbers only; see IsMetricSnapshot). */
  @IsOptional() @IsMetricSnapshot() snapshot?: WireMetricSnapshot;
  /** The slot worker's JavaScript heap: used and limit (bytes). */
  @IsOptional() @IsNumber() heapUsed?: number;
  @IsOptional() @IsNumber() heapLimit?: number;
}

/** A TaskManager reports a task's new state (Flink: updateTaskExecutionState). */
export class TaskExecutionStateUpdate extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsExecutionAttemptId() executionAttemptId!: ExecutionAttemptId;
  @IsIn(Object.values(ExecutionStates)) state!: ExecutionState;
  @IsOptional() @ValidateNested() @Type(() => TaskFailure) failure?: TaskFailure;
  @IsOptional() @ValidateNested() @Type(() => TaskMetrics) metrics?: TaskMetrics;
}

/** A job as the job store keeps it. */
export class StoredJob {
  @IsJobId() jobId!: JobId;
  @IsString() @MaxLength(255) name!: string;
  @IsIn(Object.values(JobStatuses)) status!: JobStatus;
  @IsOptional() @Matches(SHA256) artifactHash?: string;
  @IsOptional() @IsInt() @Min(1) parallelism?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) programArgs?: string[];
  /** The graph the JobManager checked at submission (stored as it was given; not checked again). */
  @IsOptional() @IsObject() jobGraph?: JobGraph;
  /** The JobGraph's hash as submitted: a recovering JobManager resubmits the job with it. */
  @IsOptional() @Matches(SHA256) jobGraphHash?: string;
  /** `per-job`: it runs on TaskManagers started for it alone (kept so a recovery does the same). */
  @IsOptional() @IsIn(['session', 'per-job']) target?: 'session' | 'per-job';
  /** The savepoint it started from (kept so a recovery before its first checkpoint starts there too). */
  @IsOptional() @IsString() @MaxLength(4096) savepointPath?: string;
  @IsOptional() @IsBoolean() allowNonRestoredState?: boolean;
  @IsOptional() @IsNumber() createdAt?: number;
  @IsOptional() @IsNumber() updatedAt?: number;
  @IsOptional() @IsNumber() endedAt?: number;
}

/** One job of the job store, in a message. */
export class JobRecord extends ProtocolMessage {
  @ValidateNested() @Type(() => StoredJob) job!: StoredJob;
}

export class JobStatusUpdate extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsIn(Object.values(JobStatuses)) status!: JobStatus;
}

export class JobRecordsReply extends ProtocolMessage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => StoredJob) jobs!: StoredJob[];
}

/**
 * The JobManager's view of a job in Flink's REST shape (GET /jobs/:jobid). Vertex and exception
 * entries are plain JSON objects in that shape; only the envelope is checked field by field.
 */
export class JobDetailsReply extends ProtocolMessage {
  @IsString() jid!: string;
  @IsString() name!: string;
  @IsIn(Object.values(JobStatuses)) state!: JobStatus;
  @IsNumber() 'start-time'!: number;
  @IsNumber() 'end-time'!: number;
  @IsNumber() duration!: number;
  @IsNumber() now!: number;
  @IsObject() timestamps!: Record<string, number>;
  @IsArray() @IsObject({ each: true }) vertices!: Record<string, unknown>[];
  @IsObject() 'status-counts'!: Record<string, number>;
  @IsObject() plan!: Record<string, unknown>;
  @IsOptional() @IsString() statusMessage?: string;
  /** Every job and task state change, in order (the job's event log). */
  @IsOptional() @IsArray() @IsObject({ each: true }) events?: Record<string, unknown>[];
}

export class JobsOverviewReply extends ProtocolMessage {
  @IsArray() @IsObject({ each: true }) jobs!: Record<string, unknown>[];
}

export class JobExceptionsReply extends ProtocolMessage {
  @IsOptional() @IsString() 'root-exception'?: string;
  @IsOptional() @IsNumber() timestamp?: number;
  @IsArray() @IsObject({ each: true }) 'all-exceptions'!: Record<string, unknown>[];
  @IsBoolean() truncated!: boolean;
  /** Flink's current shape (JobExceptionsInfoWithHistory): {entries: RootExceptionInfo[], truncated}. */
  @IsOptional() @IsObject() exceptionHistory?: Record<string, unknown>;
}
