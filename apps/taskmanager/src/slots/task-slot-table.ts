/**
 * The slots of this TaskManager and who holds them (Flink's TaskSlotTable). A slot belongs to one
 * allocation (one job) from its first deployed task until the job is released; the slot report
 * sent with every heartbeat is read from here.
 */
import { AllocationId, ConflictError, JobId, SlotStatus } from '@runnel/protocol';

export class TaskSlotTable {
  private readonly slots: SlotStatus[];

  constructor(readonly numberOfSlots: number) {
    this.slots = Array.from({ length: numberOfSlots }, (_, index) => ({ index }));
  }

  report(): SlotStatus[] {
    return this.slots.map((s) => ({ ...s }));
  }

  /** Marks the slot as the allocation's; fails when another allocation holds it. */
  allocate(index: number, allocationId: AllocationId, jobId: JobId): void {
    const slot = this.slots[index];
    if (!slot) throw new ConflictError(`This TaskManager has no slot ${index} (it has ${this.numberOfSlots})`);
    if (slot.allocationId && slot.allocationId !== allocationId) {
      throw new ConflictError(`Slot ${index} belongs to allocation ${slot.allocationId} of job ${slot.jobId}, not ${allocationId}`);
    }
    this.slots[index] = { index, allocationId, jobId };
  }

  freeJob(jobId: JobId): number[] {
    const freed: number[] = [];
    for (const slot of this.slots) {
      if (slot.jobId === jobId) {
        this.slots[slot.index] = { index: slot.index };
        freed.push(slot.index);
      }
    }
    return freed;
  }
}
