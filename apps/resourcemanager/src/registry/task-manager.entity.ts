/** A registered TaskManager (owned by the ResourceManager; table task_managers). */
import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { SlotEntity } from './slot.entity';

export const TaskManagerStatuses = { Registered: 'REGISTERED', Lost: 'LOST', Disconnected: 'DISCONNECTED' } as const;
export type TaskManagerStatus = (typeof TaskManagerStatuses)[keyof typeof TaskManagerStatuses];

@Entity({ name: 'task_managers' })
export class TaskManagerEntity {
  @PrimaryColumn({ name: 'resource_id', type: 'varchar', length: 128 }) resourceId!: string;
  @Column({ name: 'registration_id', type: 'uuid' }) registrationId!: string;
  @Column({ name: 'resource_manager_id', type: 'varchar', length: 64 }) resourceManagerId!: string;
  @Column({ type: 'varchar', length: 512 }) address!: string;
  @Column({ type: 'varchar', length: 255 }) hostname!: string;
  @Column({ type: 'int' }) pid!: number;
  @Column({ name: 'slots_number', type: 'int' }) slotsNumber!: number;
  @Column({ name: 'cpu_cores', type: 'int' }) cpuCores!: number;
  // bigint comes back from pg as a string; memory sizes fit a double exactly.
  @Column({ name: 'physical_memory', type: 'double precision' }) physicalMemory!: number;
  @Column({ type: 'varchar', length: 64 }) version!: string;
  @Column({ type: 'varchar', length: 16 }) status!: TaskManagerStatus;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt!: Date;
  @Column({ name: 'last_heartbeat', type: 'timestamptz' }) lastHeartbeat!: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ type: 'varchar', length: 16, default: 'standalone' }) provider!: string;
  @Column({ name: 'dedicated_to', type: 'char', length: 32, nullable: true }) dedicatedTo!: string | null;
  @OneToMany(() => SlotEntity, (slot) => slot.taskManager) slots?: SlotEntity[];
}
