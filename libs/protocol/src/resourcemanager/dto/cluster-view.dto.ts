import { Type } from 'class-transformer';
import { IsArray, IsInt, IsNumber, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import { SlotInfo } from './slot-status.dto';
import type { JobId, ResourceId } from '../../ids/ids';
import { IsJobId, IsResourceId } from '../../ids/id.validators';

export class TaskManagerSummary {
  @IsResourceId() id!: ResourceId;
  @IsString() address!: string;
  @IsString() hostname!: string;
  @IsInt() pid!: number;
  @IsInt() @Min(0) slotsNumber!: number;
  @IsInt() @Min(0) freeSlots!: number;
  @IsNumber() registeredAt!: number;
  @IsNumber() lastHeartbeat!: number;
  @IsNumber() timeSinceLastHeartbeat!: number;
  @IsInt() cpuCores!: number;
  @IsNumber() physicalMemory!: number;
  @IsString() version!: string;
  /** `standalone` (started by someone else) or the resource provider that started it. */
  @IsString() provider!: string;
  /** The job a per-job TaskManager belongs to; null for a shared one. */
  @IsOptional() @IsJobId() dedicatedTo!: JobId | null;
}

export class TaskManagersReply extends ProtocolMessage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => TaskManagerSummary)
  taskManagers!: TaskManagerSummary[];
}

export class TaskManagerDetailsReply extends ProtocolMessage {
  @ValidateNested() @Type(() => TaskManagerSummary) taskManager!: TaskManagerSummary;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlotInfo) slots!: SlotInfo[];
}

export class ClusterOverviewReply extends ProtocolMessage {
  @IsInt() @Min(0) taskManagers!: number;
  @IsInt() @Min(0) slotsTotal!: number;
  @IsInt() @Min(0) slotsAvailable!: number;
  @IsInt() @Min(0) jobsRunning!: number;
  @IsInt() @Min(0) jobsFinished!: number;
  @IsInt() @Min(0) jobsCancelled!: number;
  @IsInt() @Min(0) jobsFailed!: number;
}
