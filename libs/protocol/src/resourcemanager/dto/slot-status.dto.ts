import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const SlotStates = { Free: 'FREE', Allocated: 'ALLOCATED' } as const;
export type SlotState = (typeof SlotStates)[keyof typeof SlotStates];

/** One slot as its TaskManager sees it; a slot report is the list of these (Flink's SlotStatus). */
export class SlotStatus {
  @IsInt() @Min(0) @Max(9999) index!: number;
  @IsOptional() @Matches(/^[0-9a-f]{32}$/, { message: 'allocationId must be 32 lower-case hex characters' })
  allocationId?: string;
  @IsOptional() @Matches(/^[0-9a-f]{32}$/, { message: 'jobId must be 32 lower-case hex characters' })
  jobId?: string;
}

/** One slot as the registry holds it. */
export class SlotInfo extends SlotStatus {
  @IsString() slotId!: string;
  @IsIn(Object.values(SlotStates)) state!: SlotState;
}
