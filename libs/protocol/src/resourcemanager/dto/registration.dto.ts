import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import type { JobId, ResourceId } from '../../ids/ids';
import { IsJobId, IsResourceId } from '../../ids/id.validators';
import { SlotStatus } from './slot-status.dto';

export const TASK_MANAGER_PROVIDERS = ['standalone', 'process', 'kubernetes'] as const;
export type TaskManagerProvider = (typeof TASK_MANAGER_PROVIDERS)[number];

/** A TaskManager introduces itself (Flink: registerTaskExecutor). */
export class RegisterTaskExecutorRequest extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
  /** Its admin HTTP endpoint, e.g. http://127.0.0.1:37011. */
  @IsString() @MaxLength(512) address!: string;
  @IsString() @MaxLength(255) hostname!: string;
  @IsInt() @Min(1) pid!: number;
  @IsInt() @Min(1) @Max(1024) slots!: number;
  /** Slots that are still allocated (a TaskManager re-registering after the ResourceManager restarted). */
  @IsOptional() @IsArray() @ArrayMaxSize(1024) @ValidateNested({ each: true }) @Type(() => SlotStatus)
  slotReport?: SlotStatus[];
  @IsString() @MaxLength(64) version!: string;
  @IsInt() @Min(1) cpuCores!: number;
  @IsNumber() @Min(0) physicalMemory!: number;
  /** Who started it: `standalone` (someone else) or a resource provider (`process`); default standalone. */
  @IsOptional() @IsIn(TASK_MANAGER_PROVIDERS) provider?: TaskManagerProvider;
  /** A per-job TaskManager: its slots go to this job only. */
  @IsOptional() @IsJobId({ message: 'dedicatedTo must be a job id (32 lower-case hex characters)' })
  dedicatedTo?: JobId;
}

export class RegistrationReply extends ProtocolMessage {
  /** Names this registration; heartbeats carry it, so a stale TaskManager process is told apart. */
  @IsUUID() registrationId!: string;
  /** The ResourceManager instance (a fencing token): when it changes, TaskManagers register again. */
  @IsString() resourceManagerId!: string;
  @IsInt() @Min(1) heartbeatIntervalMs!: number;
  @IsInt() @Min(1) heartbeatTimeoutMs!: number;
}

/** Flink: sendSlotReport + heartbeat, in one message. */
export class HeartbeatRequest extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
  @IsUUID() registrationId!: string;
  @IsString() resourceManagerId!: string;
  @IsArray() @ArrayMaxSize(1024) @ValidateNested({ each: true }) @Type(() => SlotStatus)
  slotReport!: SlotStatus[];
}

/** The heartbeat's answer: the registry's view of what the TaskManager should let go of. */
export class HeartbeatReply extends ProtocolMessage {
  /**
   * Jobs whose slots this TaskManager still holds although the cluster has no such running job
   * (it ended, or its slots were reassigned): the TaskManager releases them.
   */
  @IsOptional() @IsArray() @ArrayMaxSize(1024) @IsJobId({ each: true }) releaseJobs?: JobId[];
}

/** A JobMaster could not reach a TaskManager it deployed to: the registry stops offering it at once. */
export class TaskManagerUnreachableRequest extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
  @IsString() @MaxLength(1024) reason!: string;
}

/**
 * ResourceManager → JobManager: these TaskManagers were found lost (missed heartbeats). The
 * JobMasters check their executions at once instead of at their next poll of the registry
 * (Flink's ResourceManager tells the JobMaster to disconnect a TaskManager it lost).
 */
export class TaskManagersLostRequest extends ProtocolMessage {
  @IsArray() @ArrayMaxSize(4096) @IsResourceId({ each: true }) resourceIds!: ResourceId[];
}

export class DisconnectTaskExecutorRequest extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
  @IsUUID() registrationId!: string;
  @IsString() @MaxLength(1024) reason!: string;
}

export class ListTaskManagersRequest extends ProtocolMessage {
  /**
   * Also registrations made with an earlier ResourceManager leader whose TaskManager has not yet
   * registered again (still within its heartbeat timeout): for liveness checks, where "not yet
   * confirmed" must not read as "lost". Their slots are never allocated.
   */
  @IsOptional() @IsBoolean() includeUnconfirmed?: boolean;
}

export class TaskManagerRequest extends ProtocolMessage {
  @IsResourceId() resourceId!: ResourceId;
}
