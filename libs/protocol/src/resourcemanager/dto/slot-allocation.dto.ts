/** Slot requests of a JobMaster and their answers (Flink: requestSlot / SlotManager allocation). */
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ProtocolMessage } from '../../common/protocol-message.dto';

const HEX32 = /^[0-9a-f]{32}$/;

export const DEPLOYMENT_TARGETS = ['session', 'per-job'] as const;
export type DeploymentTarget = (typeof DEPLOYMENT_TARGETS)[number];

export class RequestSlotsRequest extends ProtocolMessage {
  @Matches(HEX32, { message: 'jobId must be 32 lower-case hex characters' }) jobId!: string;
  @IsInt() @Min(1) @Max(4096) count!: number;
  /**
   * `per-job`: slots of TaskManagers started for this job alone (the resource provider starts
   * them; never offered to another job; stopped when the job ends). Default `session`.
   */
  @IsOptional() @IsIn(DEPLOYMENT_TARGETS) target?: DeploymentTarget;
}

export class SlotAllocation {
  @Matches(HEX32) allocationId!: string;
  @IsString() resourceId!: string;
  @IsInt() @Min(0) slotIndex!: number;
  @IsString() slotId!: string;
  /** The TaskManager's admin address. */
  @IsString() address!: string;
}

export class SlotAllocationsReply extends ProtocolMessage {
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlotAllocation) allocations!: SlotAllocation[];
}

export class ReleaseSlotsRequest extends ProtocolMessage {
  @Matches(HEX32, { message: 'jobId must be 32 lower-case hex characters' }) jobId!: string;
  /** Only these; all of the job's slots when absent. */
  @IsOptional() @IsArray() @ArrayMaxSize(4096) @Matches(HEX32, { each: true }) allocationIds?: string[];
}
