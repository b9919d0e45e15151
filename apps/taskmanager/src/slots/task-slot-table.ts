/**
 * The slots of this TaskManager and who holds them (Flink's TaskSlotTable). The slot report sent
 * with every heartbeat is read from here. Allocation arrives with the runtime.
 */
import { SlotStatus } from '@runnel/protocol';

export class TaskSlotTable {
  private readonly slots: SlotStatus[];

  constructor(readonly numberOfSlots: number) {
    this.slots = Array.from({ length: numberOfSlots }, (_, index) => ({ index }));
  }

  report(): SlotStatus[] {
    return this.slots.map((s) => ({ ...s }));
  }
}
