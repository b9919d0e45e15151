/** A slot of a registered TaskManager (table slots); allocation_id is set while a job holds it. */
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TaskManagerEntity } from './task-manager.entity';

@Entity({ name: 'slots' })
export class SlotEntity {
  @PrimaryColumn({ name: 'resource_id', type: 'varchar', length: 128 }) resourceId!: string;
  @PrimaryColumn({ name: 'slot_index', type: 'int' }) slotIndex!: number;
  @Column({ name: 'allocation_id', type: 'char', length: 32, nullable: true }) allocationId!: string | null;
  @Column({ name: 'job_id', type: 'char', length: 32, nullable: true }) jobId!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @ManyToOne(() => TaskManagerEntity, (tm) => tm.slots, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  taskManager?: TaskManagerEntity;
}
