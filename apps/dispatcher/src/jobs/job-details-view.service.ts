/**
 * The dispatcher's side of the finer job views, checkpoint details and triggers, savepoint
 * disposal, log files and CPU profiles: each a gateway call (JobManager or one TaskManager), the
 * Flink-shaped view passed on as it is. Flame graphs of a vertex merge the profiles of the
 * TaskManagers its subtasks run on.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CheckpointId, ErrorCodes, JobId, JobMasterGateway, MAX_LOG_CHUNK_BYTES, ProfileRequest, ResourceId, ResourceIds, RunnelError, TaskExecutorGateway } from '@runnel/protocol';
import { JOB_MASTER_GATEWAY } from '../jars/jar.service';
import { FlameNode, mergeFlameGraphs } from './flame-graph.merge';

export const TASK_EXECUTOR_GATEWAYS = Symbol('TASK_EXECUTOR_GATEWAYS');
export type TaskExecutorGateways = (resourceId: ResourceId) => TaskExecutorGateway;

/** Largest log file served in one response (bigger ones: their last this many bytes). */
export const MAX_LOG_RESPONSE_BYTES = 32 * 1024 * 1024;

export type LogSource = { readonly kind: 'jobmanager' } | { readonly kind: 'taskmanager'; readonly resourceId: ResourceId };

@Injectable()
export class JobDetailsViewService {
  constructor(
    @Inject(JOB_MASTER_GATEWAY) private readonly jobManager: JobMasterGateway,
    @Inject(TASK_EXECUTOR_GATEWAYS) private readonly taskExecutor: TaskExecutorGateways,
  ) {}

  async vertex(jobId: JobId, vertexId: string) {
    return (await this.jobManager.getJobVertex({ jobId, vertexId })).view;
  }

  async subtask(jobId: JobId, vertexId: string, subtaskIndex: number, attempt?: number) {
    return (await this.jobManager.getSubtask({ jobId, vertexId, subtaskIndex, ...(attempt !== undefined ? { attempt } : {}) })).view;
  }

  async subtaskTimes(jobId: JobId, vertexId: string) {
    return (await this.jobManager.getSubtaskTimes({ jobId, vertexId })).view;
  }

  async taskManagers(jobId: JobId, vertexId: string) {
    return (await this.jobManager.getVertexTaskManagers({ jobId, vertexId })).view;
  }

  async executionResult(jobId: JobId) {
    return (await this.jobManager.getExecutionResult({ jobId })).view;
  }

  async config(jobId: JobId) {
    return (await this.jobManager.getJobConfig({ jobId })).view;
  }

  async checkpointDetails(jobId: JobId, checkpointId: CheckpointId) {
    return (await this.jobManager.getCheckpointDetails({ jobId, checkpointId })).view;
  }

  async checkpointSubtasks(jobId: JobId, checkpointId: CheckpointId, vertexId: string) {
    return (await this.jobManager.getCheckpointSubtasks({ jobId, checkpointId, vertexId })).view;
  }

  triggerCheckpoint(jobId: JobId) {
    return this.jobManager.triggerCheckpoint({ jobId });
  }

  checkpointTriggerStatus(jobId: JobId, triggerId: string) {
    return this.jobManager.getCheckpointTriggerStatus({ jobId, triggerId });
  }

  disposeSavepoint(savepointPath: string) {
    return this.jobManager.disposeSavepoint({ savepointPath });
  }

  disposalStatus(triggerId: string) {
    return this.jobManager.getSavepointDisposalStatus({ triggerId });
  }

  listLogs(source: LogSource) {
    return source.kind === 'jobmanager' ? this.jobManager.listLogs({}) : this.taskExecutor(source.resourceId).listLogs({});
  }

  /** A whole log file (its last MAX_LOG_RESPONSE_BYTES when bigger), read in chunks that fit a NATS message. */
  async readLog(source: LogSource, name: string): Promise<Buffer> {
    const read = (offset: number) =>
      source.kind === 'jobmanager'
        ? this.jobManager.readLog({ name, offset, length: MAX_LOG_CHUNK_BYTES })
        : this.taskExecutor(source.resourceId).readLog({ name, offset, length: MAX_LOG_CHUNK_BYTES });
    const first = await read(0);
    const start = Math.max(0, first.size - MAX_LOG_RESPONSE_BYTES);
    const chunks: Buffer[] = [];
    let offset = start;
    let chunk = start === 0 ? first : await read(start);
    for (;;) {
      const bytes = Buffer.from(chunk.data, 'base64');
      if (bytes.length === 0) break;
      chunks.push(bytes);
      offset += bytes.length;
      // The file may grow while it is read: stop at the size it had at the start.
      if (offset >= first.size) break;
      chunk = await read(offset);
    }
    return Buffer.concat(chunks);
  }

  /** POST /taskmanagers/:id/profile: the CPU profile of its slot workers. */
  async profileTaskManager(resourceId: ResourceId, request: Omit<ProfileRequest, 'protocolVersion'>) {
    return (await this.taskExecutor(resourceId).profile(request, { timeoutMs: request.durationMs + 15_000 })).view;
  }

  /**
   * Flink's GET /jobs/:id/vertices/:vid/flamegraph: the CPU profiles of the workers running the
   * vertex's subtasks (all of them, or one with subtaskIndex), merged into one tree.
   */
  async flameGraph(jobId: JobId, vertexId: string, durationMs: number, subtaskIndex?: number, type: 'full' | 'on_cpu' = 'full') {
    const vertex = (await this.jobManager.getJobVertex({ jobId, vertexId })).view as { subtasks: { subtask: number; status: string; 'taskmanager-id': string }[] };
    const running = vertex.subtasks.filter((s) => s.status === 'RUNNING' && (subtaskIndex === undefined || s.subtask === subtaskIndex));
    // The vertex view is a plain JSON view: its TaskManager ids are parsed before they name a subject.
    const taskManagers = [...new Set(running.map((s) => s['taskmanager-id']).filter(ResourceIds.isValid))];
    if (taskManagers.length === 0) return { endTimestamp: Date.now(), data: null, note: 'no subtask of this vertex is running' };
    const request = { durationMs, jobId, vertexId, type, ...(subtaskIndex !== undefined ? { subtaskIndex } : {}) };
    const results = await Promise.allSettled(taskManagers.map((id) => this.profileTaskManager(id, request)));
    const graphs = results.flatMap((r) => (r.status === 'fulfilled' && (r.value as { data?: FlameNode | null }).data ? [(r.value as { data: FlameNode }).data] : []));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${taskManagers[i]}: ${(r.reason as Error).message}`] : []));
    if (graphs.length === 0 && failures.length) throw new RunnelError(ErrorCodes.Internal, `No CPU profile could be taken: ${failures.join('; ')}`);
    return { endTimestamp: Date.now(), data: graphs.length ? mergeFlameGraphs(graphs) : null, ...(failures.length ? { failures } : {}) };
  }
}
