/** Slot requests of a JobMaster and their answers (Flink: requestSlot / SlotManager allocation). */
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';
import type { AllocationId, JobId, ResourceId, SlotId } from '../../ids/ids';
import { IsAllocationId, IsJobId, IsResourceId, IsSlotId } from '../../ids/id.validators';


export const DEPLOYMENT_TARGETS = ['session', 'per-job'] as const;
export type DeploymentTarget = (typeof DEPLOYMENT_TARGETS)[number];

export class RequestSlotsRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  @IsInt() @Min(1) @Max(4096) count!: number;
  /**
   * `per-job`: slots of TaskManagers started for this job alone (the resource provider starts
   * them; never offered to another job; stopped when the job ends). Default `session`.
   */
  @IsOptional() @IsIn(DEPLOYMENT_TARGETS) target?: DeploymentTarget;
}

export class SlotAllocation {
  @IsAllocationId() allocationId!: AllocationId;
  @IsResourceId() resourceId!: ResourceId;
  @IsInt() @Min(0) slotIndex!: number;
  @IsSlotId() slotId!: SlotId;
  /** The TaskManager's admin address. */
  @IsString() address!: string;
}

export class SlotAllocationsReply extends ProtocolMessage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlotAllocation) allocations!: SlotAllocation[];
}

export class ReleaseSlotsRequest extends ProtocolMessage {
  @IsJobId() jobId!: JobId;
  /** Only these; all of the job's slots when absent. */
  @IsOptional() @IsArray() @ArrayMaxSize(4096) @IsAllocationId({ each: true }) allocationIds?: AllocationId[];
}
