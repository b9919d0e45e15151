import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { AllocationId, JobId, SlotId } from '../../ids/ids';
import { IsAllocationId, IsJobId, IsSlotId } from '../../ids/id.validators';

export const SlotStates = { Free: 'FREE', Allocated: 'ALLOCATED' } as const;
export type SlotState = (typeof SlotStates)[keyof typeof SlotStates];

/** One slot as its TaskManager sees it; a slot report is the list of these (Flink's SlotStatus). */
export class SlotStatus {
  @IsInt() @Min(0) @Max(9999) index!: number;
  @IsOptional() @IsAllocationId() allocationId?: AllocationId;
  @IsOptional() @IsJobId() jobId?: JobId;
}

/** One slot as the registry holds it. */
export class SlotInfo extends SlotStatus {
  @IsSlotId() slotId!: SlotId;
  @IsIn(Object.values(SlotStates)) state!: SlotState;
}
