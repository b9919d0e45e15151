/**
 * Slot allocation (Flink's SlotManager): a job gets all the slots it asked for in one Postgres
 * transaction, or none. `FOR UPDATE SKIP LOCKED` means concurrent requests never take the same
 * slot and never wait on each other. Slots are taken round-robin across TaskManagers, so a job
 * spreads over the cluster.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AllocationId, AllocationIds, DeploymentTarget, JobId, NotEnoughSlotsError, ResourceIds, SlotAllocation, SlotIds } from '@runnel/protocol';
import { LIVE_WITH } from './task-manager-registry.service';
import { DataSource } from 'typeorm';

@Injectable()
export class SlotAllocator {
  private readonly logger = new Logger(SlotAllocator.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Only slots of TaskManagers registered with this leader (`resourceManagerId`, the fencing
   * token) are offered: a registration left by an earlier ResourceManager may name a process that
   * is gone. A session job takes shared TaskManagers' slots; a per-job one only those of the
   * TaskManagers started for it.
   */
  async allocate(jobId: JobId, count: number, resourceManagerId: string, target: DeploymentTarget = 'session'): Promise<SlotAllocation[]> {
    const eligible = `${LIVE_WITH('tm', '$1')} AND ${target === 'per-job' ? 'tm.dedicated_to = $2' : '(tm.dedicated_to IS NULL AND $2::text IS NULL)'}`;
    const params = [resourceManagerId, target === 'per-job' ? jobId : null];
    const allocations = await this.dataSource.transaction(async (em) => {
      const free = (await em.query(
        `SELECT s.resource_id, s.slot_index, tm.address
         FROM slots s JOIN task_managers tm ON tm.resource_id = s.resource_id
         WHERE s.allocation_id IS NULL AND ${eligible}
         ORDER BY s.slot_index, s.resource_id
         LIMIT $3
         FOR UPDATE OF s SKIP LOCKED`,
        [...params, count],
      )) as { resource_id: string; slot_index: number; address: string }[];
      if (free.length < count) {
        const [{ n }] = (await em.query(
          `SELECT count(*)::int AS n FROM slots s JOIN task_managers tm ON tm.resource_id = s.resource_id
           WHERE s.allocation_id IS NULL AND ${eligible}`,
          params,
        )) as { n: number }[];
        throw new NotEnoughSlotsError(count, n);
      }
      const taken: SlotAllocation[] = free.map((row) => {
        const resourceId = ResourceIds.parse(row.resource_id);
        return { allocationId: AllocationIds.generate(), resourceId, slotIndex: row.slot_index, slotId: SlotIds.of(resourceId, row.slot_index), address: row.address };
      });
      await em.query(
        `UPDATE slots s SET allocation_id = a.allocation_id, job_id = $1, updated_at = now()
         FROM unnest($2::text[], $3::int[], $4::text[]) AS a(resource_id, slot_index, allocation_id)
         WHERE s.resource_id = a.resource_id AND s.slot_index = a.slot_index`,
        [jobId, taken.map((t) => t.resourceId), taken.map((t) => t.slotIndex), taken.map((t) => t.allocationId)],
      );
      return taken;
    });
    this.logger.log(`allocated ${count} slots to job ${jobId}: ${allocations.map((a) => a.slotId).join(', ')}`);
    return allocations;
  }

  async release(jobId: JobId, allocationIds?: readonly AllocationId[]): Promise<number> {
    const rows = (await this.dataSource.query(
      `UPDATE slots SET allocation_id = NULL, job_id = NULL, updated_at = now()
       WHERE job_id = $1 AND ($2::text[] IS NULL OR allocation_id = ANY($2::text[]))
       RETURNING slot_index`,
      [jobId, allocationIds ?? null],
    )) as unknown[];
    const released = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (released > 0) this.logger.log(`released ${released} slots of job ${jobId}`);
    return released;
  }
}
