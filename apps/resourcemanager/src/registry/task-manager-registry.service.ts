/**
 * The TaskManager and slot registry (Flink's SlotManager + TaskExecutor registry), in Postgres.
 * Registration replaces a previous registration of the same ResourceId in one transaction, so a
 * restarted TaskManager re-registers cleanly and concurrent registrations never interleave. Times
 * come from the database clock, so the ResourceManager's instances agree on who is late.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  AllocationIds, DisconnectTaskExecutorRequest, HeartbeatRequest, JobId, JobIds, NotFoundError, RegisterTaskExecutorRequest, Reply, ResourceId, ResourceIds, SlotIds, SlotInfo, SlotStates, TaskManagerDetailsReply, TaskManagerSummary, UnknownTaskManagerError,
} from '@runnel/protocol';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { SlotEntity } from './slot.entity';
import { TaskManagerEntity, TaskManagerStatuses } from './task-manager.entity';

export interface RegistrationResult {
  readonly registrationId: string;
}

export interface HeartbeatOutcome {
  /** Slots the registry had allocated and the TaskManager reported free. */
  readonly freedSlots: number[];
  /** Jobs the TaskManager holds slots for that the registry does not. */
  readonly releaseJobs: JobId[];
}

export interface EndedRegistration {
  readonly resourceId: string;
  /** The ResourceManager the registration was made with (an earlier one: the TaskManager never came back). */
  readonly resourceManagerId: string;
}

export interface ProvidedTaskManagerRow {
  readonly resourceId: string;
  readonly pid: number;
  readonly hostname: string;
  readonly dedicatedTo: JobId | null;
  readonly slots: number;
  readonly allocated: number;
}

/** A live registration made with the current leader: the only kind whose slots are offered. */
export const LIVE_WITH = (alias: string, param: string) =>
  `${alias}.status = 'REGISTERED' AND ${alias}.resource_manager_id = ${param}`;

@Injectable()
export class TaskManagerRegistry {
  private readonly logger = new Logger(TaskManagerRegistry.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(TaskManagerEntity) private readonly taskManagers: Repository<TaskManagerEntity>,
    @InjectRepository(SlotEntity) private readonly slots: Repository<SlotEntity>,
  ) {}

  async register(request: RegisterTaskExecutorRequest, resourceManagerId: string): Promise<RegistrationResult> {
    const registrationId = randomUUID();
    const allocated = new Map((request.slotReport ?? []).filter((s) => s.index < request.slots).map((s) => [s.index, s]));
    await this.dataSource.transaction(async (em) => {
      // The upsert takes the row lock: a concurrent registration of the same ResourceId waits here.
      await em.query(
        `INSERT INTO task_managers (resource_id, registration_id, resource_manager_id, address, hostname, pid, slots_number,
                                    cpu_cores, physical_memory, version, status, registered_at, last_heartbeat, ended_at,
                                    provider, dedicated_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'REGISTERED', now(), now(), NULL, $11, $12)
         ON CONFLICT (resource_id) DO UPDATE SET
           registration_id = EXCLUDED.registration_id, resource_manager_id = EXCLUDED.resource_manager_id,
           address = EXCLUDED.address, hostname = EXCLUDED.hostname, pid = EXCLUDED.pid,
           slots_number = EXCLUDED.slots_number, cpu_cores = EXCLUDED.cpu_cores,
           physical_memory = EXCLUDED.physical_memory, version = EXCLUDED.version, status = 'REGISTERED',
           registered_at = now(), last_heartbeat = now(), ended_at = NULL,
           provider = EXCLUDED.provider, dedicated_to = EXCLUDED.dedicated_to`,
        [request.resourceId, registrationId, resourceManagerId, request.address, request.hostname, request.pid,
          request.slots, request.cpuCores, request.physicalMemory, request.version, request.provider ?? 'standalone',
          request.dedicatedTo ?? null],
      );
      await em.query(`DELETE FROM slots WHERE resource_id = $1`, [request.resourceId]);
      await em.query(
        `INSERT INTO slots (resource_id, slot_index, allocation_id, job_id, updated_at)
         SELECT $1, i, a.allocation_id, a.job_id, now()
         FROM generate_series(0, $2::int - 1) AS i
         LEFT JOIN jsonb_to_recordset($3::jsonb) AS a(slot_index int, allocation_id text, job_id text) ON a.slot_index = i`,
        [request.resourceId, request.slots,
          JSON.stringify([...allocated.values()].map((s) => ({ slot_index: s.index, allocation_id: s.allocationId ?? null, job_id: s.jobId ?? null })))],
      );
    });
    this.logger.log(`registered TaskManager ${request.resourceId} with ${request.slots} slots at ${request.address}`);
    return { registrationId };
  }

  /**
   * Records a heartbeat and reconciles the registry with its slot report (the TaskManager's word is
   * the truth about its slots): a slot it reports free that the registry has had allocated for
   * longer than `graceMs` is freed (the allocation was never deployed, or its job let go), and
   * the jobs it still holds slots for that the registry does not (released meanwhile, or never
   * known to this leader) are returned so the TaskManager releases them. Fails with
   * UnknownTaskManagerError when the TaskManager must register again.
   */
  async heartbeat(request: HeartbeatRequest, resourceManagerId: string, graceMs: number): Promise<HeartbeatOutcome> {
    if (request.resourceManagerId !== resourceManagerId) {
      throw new UnknownTaskManagerError(request.resourceId, `it registered with ResourceManager ${request.resourceManagerId}, this is ${resourceManagerId}`);
    }
    return this.dataSource.transaction(async (em) => {
      const rows = (await em.query(
        `UPDATE task_managers SET last_heartbeat = now()
         WHERE resource_id = $1 AND registration_id = $2 AND status = 'REGISTERED' AND resource_manager_id = $3
         RETURNING resource_id`,
        [request.resourceId, request.registrationId, resourceManagerId],
      )) as unknown[];
      // pg returns [rows, count] for UPDATE ... RETURNING through TypeORM's query().
      const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
      if (updated === 0) {
        throw new UnknownTaskManagerError(request.resourceId, 'no live registration with this registrationId (lost after missed heartbeats, or replaced)');
      }
      // Only the allocated slots are locked (the free ones play no part in the reconciliation): the
      // allocator takes slots with SKIP LOCKED, and would pass over a TaskManager whose free slots
      // a heartbeat had locked, putting a whole job on the other TaskManagers.
      const held = (await em.query(
        `SELECT slot_index, allocation_id, job_id, (updated_at < now() - make_interval(secs => $2::double precision / 1000)) AS settled
         FROM slots WHERE resource_id = $1 AND allocation_id IS NOT NULL FOR UPDATE`,
        [request.resourceId, graceMs],
      )) as { slot_index: number; allocation_id: string | null; job_id: string | null; settled: boolean }[];
      const reported = new Map(request.slotReport.map((s) => [s.index, s]));
      const stale = held.filter((row) => row.allocation_id && row.settled && !reported.get(row.slot_index)?.allocationId).map((r) => r.slot_index);
      if (stale.length > 0) {
        await em.query(
          `UPDATE slots SET allocation_id = NULL, job_id = NULL, updated_at = now() WHERE resource_id = $1 AND slot_index = ANY($2::int[])`,
          [request.resourceId, stale],
        );
        this.logger.log(`TaskManager ${request.resourceId} reports slots ${stale.join(', ')} free: freed them in the registry`);
      }
      const registryJobs = new Set(held.filter((r) => r.allocation_id && !stale.includes(r.slot_index)).map((r) => r.job_id));
      const releaseJobs = [...new Set(request.slotReport.filter((s) => s.jobId && !registryJobs.has(s.jobId)).map((s) => s.jobId!))];
      return { freedSlots: stale, releaseJobs };
    });
  }

  /** A JobMaster could not reach it: lost at once (a live TaskManager then registers again). */
  async markUnreachable(resourceId: ResourceId, reason: string): Promise<boolean> {
    const ended = await this.endRegistrations(`status = 'REGISTERED' AND resource_id = $1`, [resourceId], TaskManagerStatuses.Lost);
    if (ended.length > 0) this.logger.warn(`TaskManager ${resourceId} lost: ${reason}; its slots are freed`);
    return ended.length > 0;
  }

  async disconnect(request: DisconnectTaskExecutorRequest): Promise<void> {
    await this.endRegistrations(
      `status = 'REGISTERED' AND resource_id = $1 AND registration_id = $2`,
      [request.resourceId, request.registrationId],
      TaskManagerStatuses.Disconnected,
    );
    this.logger.log(`TaskManager ${request.resourceId} disconnected: ${request.reason}`);
  }

  /** Marks TaskManagers silent for longer than the timeout as lost and frees their slots. */
  async expireSilent(timeoutMs: number): Promise<string[]> {
    return (await this.expireSilentWithEpoch(timeoutMs)).map((r) => r.resourceId);
  }

  /** The same, saying which ResourceManager each expired registration was made with. */
  expireSilentWithEpoch(timeoutMs: number): Promise<EndedRegistration[]> {
    return this.endRegistrationsReturning(
      `status = 'REGISTERED' AND last_heartbeat < now() - make_interval(secs => $1::double precision / 1000)`,
      [timeoutMs],
      TaskManagerStatuses.Lost,
    );
  }

  private async endRegistrations(where: string, params: unknown[], status: string): Promise<string[]> {
    return (await this.endRegistrationsReturning(where, params, status)).map((r) => r.resourceId);
  }

  private async endRegistrationsReturning(where: string, params: unknown[], status: string): Promise<EndedRegistration[]> {
    const rows = (await this.dataSource.query(
      `WITH ended AS (
         UPDATE task_managers SET status = '${status}', ended_at = now() WHERE ${where} RETURNING resource_id, resource_manager_id
       ), freed AS (
         DELETE FROM slots WHERE resource_id IN (SELECT resource_id FROM ended) RETURNING resource_id
       )
       SELECT resource_id, resource_manager_id FROM ended`,
      params,
    )) as { resource_id: string; resource_manager_id: string }[];
    return rows.map((r) => ({ resourceId: r.resource_id, resourceManagerId: r.resource_manager_id }));
  }

  /**
   * The TaskManagers registered with this leader (`resourceManagerId`). Registrations of an
   * earlier leader stay out of every view until their TaskManager registers again: its process
   * may be gone (a cluster restart), and its slots are never handed out.
   */
  async list(resourceManagerId: string | undefined): Promise<TaskManagerSummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT tm.*, extract(epoch FROM now()) * 1000 AS now_ms,
              (SELECT count(*) FROM slots s WHERE s.resource_id = tm.resource_id AND s.allocation_id IS NULL)::int AS free_slots
       FROM task_managers tm WHERE tm.status = 'REGISTERED' AND ($1::text IS NULL OR tm.resource_manager_id = $1) ORDER BY tm.resource_id`,
      [resourceManagerId ?? null],
    )) as RawTaskManager[];
    return rows.map(toSummary);
  }

  async get(resourceId: ResourceId, resourceManagerId: string): Promise<Reply<TaskManagerDetailsReply>> {
    const summary = (await this.list(resourceManagerId)).find((tm) => tm.id === resourceId);
    if (!summary) throw new NotFoundError('TaskManager', resourceId);
    const slots = await this.slots.find({ where: { resourceId }, order: { slotIndex: 'ASC' } });
    return {
      taskManager: summary,
      slots: slots.map((s): SlotInfo => ({
        index: s.slotIndex,
        slotId: SlotIds.of(resourceId, s.slotIndex),
        state: s.allocationId ? SlotStates.Allocated : SlotStates.Free,
        // Rows of the registry: their ids are parsed, not assumed.
        ...(s.allocationId ? { allocationId: AllocationIds.parse(s.allocationId) } : {}),
        ...(s.jobId ? { jobId: JobIds.parse(s.jobId) } : {}),
      })),
    };
  }

  async slotCounts(resourceManagerId: string): Promise<{ total: number; free: number; taskManagers: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*) FROM task_managers tm WHERE ${LIVE_WITH('tm', '$1')})::int AS task_managers,
              count(s.*)::int AS total,
              (count(s.*) FILTER (WHERE s.allocation_id IS NULL AND tm.dedicated_to IS NULL))::int AS free
       FROM slots s JOIN task_managers tm ON tm.resource_id = s.resource_id AND ${LIVE_WITH('tm', '$1')}`,
      [resourceManagerId],
    )) as { task_managers: number; total: number; free: number }[];
    return { total: row.total, free: row.free, taskManagers: row.task_managers };
  }

  /** TaskManagers a resource provider started, registered with this leader, and how many of their slots are taken. */
  async providedTaskManagers(resourceManagerId: string): Promise<ProvidedTaskManagerRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT tm.resource_id, tm.pid, tm.hostname, tm.dedicated_to, tm.slots_number,
              (SELECT count(*) FROM slots s WHERE s.resource_id = tm.resource_id AND s.allocation_id IS NOT NULL)::int AS allocated
       FROM task_managers tm WHERE ${LIVE_WITH('tm', '$1')} AND tm.provider <> 'standalone' ORDER BY tm.registered_at`,
      [resourceManagerId],
    )) as { resource_id: string; pid: number; hostname: string; dedicated_to: string | null; slots_number: number; allocated: number }[];
    return rows.map((r) => ({ resourceId: r.resource_id, pid: r.pid, hostname: r.hostname, dedicatedTo: dedicatedTo(r.dedicated_to), slots: r.slots_number, allocated: r.allocated }));
  }

  /** For tests and admin: the number of live registrations. */
  countRegistered(): Promise<number> {
    return this.taskManagers.count({ where: { status: TaskManagerStatuses.Registered } });
  }
}

interface RawTaskManager {
  resource_id: string;
  address: string;
  hostname: string;
  pid: number;
  slots_number: number;
  free_slots: number;
  registered_at: Date;
  last_heartbeat: Date;
  cpu_cores: number;
  physical_memory: number;
  version: string;
  now_ms: string | number;
  provider: string;
  dedicated_to: string | null;
}

function toSummary(r: RawTaskManager): TaskManagerSummary {
  const lastHeartbeat = new Date(r.last_heartbeat).getTime();
  return {
    id: ResourceIds.parse(r.resource_id),
    address: r.address,
    hostname: r.hostname,
    pid: r.pid,
    slotsNumber: r.slots_number,
    freeSlots: r.free_slots,
    registeredAt: new Date(r.registered_at).getTime(),
    lastHeartbeat,
    timeSinceLastHeartbeat: Math.max(0, Math.round(Number(r.now_ms) - lastHeartbeat)),
    cpuCores: r.cpu_cores,
    physicalMemory: Number(r.physical_memory),
    version: r.version,
    provider: r.provider,
    dedicatedTo: dedicatedTo(r.dedicated_to),
  };
}

/** A per-job TaskManager's job, as its row holds it (null: a shared TaskManager). */
function dedicatedTo(column: string | null): JobId | null {
  return column === null ? null : JobIds.parse(column);
}
