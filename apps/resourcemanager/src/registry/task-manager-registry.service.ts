/**
 * The TaskManager and slot registry (Flink's SlotManager + TaskExecutor registry), in Postgres.
 * Registration replaces a previous registration of the same ResourceId in one transaction, so a
 * restarted TaskManager re-registers cleanly and concurrent registrations never interleave. Times
 * come from the database clock, so the ResourceManager's instances agree on who is late.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  DisconnectTaskExecutorRequest,
  HeartbeatRequest,
  NotFoundError,
  RegisterTaskExecutorRequest,
  Reply,
  SlotIds,
  SlotInfo,
  SlotStates,
  TaskManagerDetailsReply,
  TaskManagerSummary,
  UnknownTaskManagerError,
  ResourceIds,
} from '@runnel/protocol';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { SlotEntity } from './slot.entity';
import { TaskManagerEntity, TaskManagerStatuses } from './task-manager.entity';

export interface RegistrationResult {
  readonly registrationId: string;
}

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
                                    cpu_cores, physical_memory, version, status, registered_at, last_heartbeat, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'REGISTERED', now(), now(), NULL)
         ON CONFLICT (resource_id) DO UPDATE SET
           registration_id = EXCLUDED.registration_id, resource_manager_id = EXCLUDED.resource_manager_id,
           address = EXCLUDED.address, hostname = EXCLUDED.hostname, pid = EXCLUDED.pid,
           slots_number = EXCLUDED.slots_number, cpu_cores = EXCLUDED.cpu_cores,
           physical_memory = EXCLUDED.physical_memory, version = EXCLUDED.version, status = 'REGISTERED',
           registered_at = now(), last_heartbeat = now(), ended_at = NULL`,
        [request.resourceId, registrationId, resourceManagerId, request.address, request.hostname, request.pid,
          request.slots, request.cpuCores, request.physicalMemory, request.version],
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

  /** Records a heartbeat; fails with UnknownTaskManagerError when the TaskManager must register again. */
  async heartbeat(request: HeartbeatRequest, resourceManagerId: string): Promise<void> {
    if (request.resourceManagerId !== resourceManagerId) {
      throw new UnknownTaskManagerError(request.resourceId, `it registered with ResourceManager ${request.resourceManagerId}, this is ${resourceManagerId}`);
    }
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE task_managers SET last_heartbeat = now()
       WHERE resource_id = $1 AND registration_id = $2 AND status = 'REGISTERED' RETURNING resource_id`,
      [request.resourceId, request.registrationId],
    );
    // pg returns [rows, count] for UPDATE ... RETURNING through TypeORM's query().
    const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (updated === 0) {
      throw new UnknownTaskManagerError(request.resourceId, 'no live registration with this registrationId (lost after missed heartbeats, or replaced)');
    }
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
    return this.endRegistrations(
      `status = 'REGISTERED' AND last_heartbeat < now() - make_interval(secs => $1::double precision / 1000)`,
      [timeoutMs],
      TaskManagerStatuses.Lost,
    );
  }

  private async endRegistrations(where: string, params: unknown[], status: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `WITH ended AS (
         UPDATE task_managers SET status = '${status}', ended_at = now() WHERE ${where} RETURNING resource_id
       ), freed AS (
         DELETE FROM slots WHERE resource_id IN (SELECT resource_id FROM ended) RETURNING resource_id
       )
       SELECT resource_id FROM ended`,
      params,
    )) as { resource_id: string }[];
    return rows.map((r) => r.resource_id);
  }

  async list(): Promise<TaskManagerSummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT tm.*, extract(epoch FROM now()) * 1000 AS now_ms,
              (SELECT count(*) FROM slots s WHERE s.resource_id = tm.resource_id AND s.allocation_id IS NULL)::int AS free_slots
       FROM task_managers tm WHERE tm.status = 'REGISTERED' ORDER BY tm.resource_id`,
    )) as RawTaskManager[];
    return rows.map(toSummary);
  }

  async get(resourceId: string): Promise<Reply<TaskManagerDetailsReply>> {
    const summary = (await this.list()).find((tm) => tm.id === resourceId);
    if (!summary) throw new NotFoundError('TaskManager', resourceId);
    const slots = await this.slots.find({ where: { resourceId }, order: { slotIndex: 'ASC' } });
    const rid = ResourceIds.parse(resourceId);
    return {
      taskManager: summary,
      slots: slots.map((s): SlotInfo => ({
        index: s.slotIndex,
        slotId: SlotIds.of(rid, s.slotIndex),
        state: s.allocationId ? SlotStates.Allocated : SlotStates.Free,
        ...(s.allocationId ? { allocationId: s.allocationId } : {}),
        ...(s.jobId ? { jobId: s.jobId } : {}),
      })),
    };
  }

  async slotCounts(): Promise<{ total: number; free: number; taskManagers: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*) FROM task_managers WHERE status = 'REGISTERED')::int AS task_managers,
              count(s.*)::int AS total,
              (count(s.*) FILTER (WHERE s.allocation_id IS NULL))::int AS free
       FROM slots s JOIN task_managers tm ON tm.resource_id = s.resource_id AND tm.status = 'REGISTERED'`,
    )) as { task_managers: number; total: number; free: number }[];
    return { total: row.total, free: row.free, taskManagers: row.task_managers };
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
}

function toSummary(r: RawTaskManager): TaskManagerSummary {
  const lastHeartbeat = new Date(r.last_heartbeat).getTime();
  return {
    id: r.resource_id,
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
  };
}
