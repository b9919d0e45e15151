/**
 * Metric queries the dispatcher forwards to the JobManager, in Flink's REST terms: a scope (all
 * jobs, one job, a vertex, its subtasks aggregated, one subtask, a TaskManager, the JobManager),
 * the metric names asked for (`get`), and for aggregated scopes which aggregates (`agg`). Replies
 * are Flink's lists: `[{id}]`, `[{id, value}]`, or `[{id, min, max, avg, sum}]`.
 */
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ProtocolMessage } from '../common/protocol-message.dto';
import type { JobId } from '../ids/ids';
import { IsJobId } from '../ids/id.validators';

export const MetricScopes = {
  Jobs: 'jobs',
  Job: 'job',
  Vertex: 'vertex',
  Subtasks: 'subtasks',
  Subtask: 'subtask',
  VertexWatermarks: 'vertex-watermarks',
  TaskManager: 'taskmanager',
  JobManager: 'jobmanager',
} as const;
export type MetricScope = (typeof MetricScopes)[keyof typeof MetricScopes];

export const METRIC_AGGREGATES = ['min', 'max', 'sum', 'avg'] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

export const MetricQueryLimits = { names: 200, nameLength: 256, subtasks: 32_768, jobs: 1000 } as const;

export class MetricsQuery extends ProtocolMessage {
  @IsIn(Object.values(MetricScopes)) scope!: MetricScope;
  @IsOptional() @IsJobId() jobId?: JobId;
  @IsOptional() @IsString() @MaxLength(255) vertexId?: string;
  @IsOptional() @IsInt() @Min(0) @Max(32_767) subtaskIndex?: number;
  @IsOptional() @IsString() @MaxLength(255) taskManagerId?: string;
  /** Metric ids to return with their values; absent: list the ids only. */
  @IsOptional() @IsArray() @ArrayMaxSize(MetricQueryLimits.names) @IsString({ each: true }) @MaxLength(MetricQueryLimits.nameLength, { each: true }) get?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(4) @IsIn(METRIC_AGGREGATES, { each: true }) agg?: MetricAggregate[];
  /** Subtasks to aggregate over (Flink's `?subtasks=`); absent: all. */
  @IsOptional() @IsArray() @ArrayMaxSize(MetricQueryLimits.subtasks) @IsInt({ each: true }) @Min(0, { each: true }) subtasks?: number[];
  /** Jobs to aggregate over (Flink's `/jobs/metrics?jobs=`); absent: all. */
  @IsOptional() @IsArray() @ArrayMaxSize(MetricQueryLimits.jobs) @IsJobId({ each: true, message: 'jobs must be job ids' }) jobs?: JobId[];
}

export class MetricsReply extends ProtocolMessage {
  @IsArray() @IsObject({ each: true }) metrics!: Record<string, unknown>[];
}

export class VertexRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsString() @MaxLength(255) vertexId!: string;
}

/** Flink's JobVertexBackPressureInfo: status, backpressureLevel, end-timestamp, subtasks. */
export class BackPressureReply extends ProtocolMessage {
  @IsIn(['ok', 'deprecated']) status!: 'ok' | 'deprecated';
  @IsIn(['ok', 'low', 'high']) backpressureLevel!: 'ok' | 'low' | 'high';
  @IsInt() 'end-timestamp'!: number;
  @IsArray() @IsObject({ each: true }) subtasks!: Record<string, unknown>[];
}

/**
 * Beyond Flink: every vertex with an event-time operator — its lowest (last reported) input
 * watermark, whether it finished, and for each subtask still waiting which input holds it back.
 */
export class JobWatermarksReply extends ProtocolMessage {
  @IsArray() @IsObject({ each: true }) vertices!: Record<string, unknown>[];
}
