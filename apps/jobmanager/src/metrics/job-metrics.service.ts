/**
 * Answers the metric queries of the REST API (Flink's MetricStore, fed by the subtasks' periodic
 * and final reports that the ExecutionGraph keeps): by scope, in Flink's shapes. Jobs are the
 * JobManager's own (running and in its history); an unknown job, vertex or subtask is 404.
 */
import { Injectable } from '@nestjs/common';
import {
  type BackPressureReply, JobId, type JobWatermarksReply, MessageBody, MetricScopes, MetricsQuery, type MetricsReply, NotFoundError, Reply, ValidationError,
} from '@runnel/protocol';
import { getHeapStatistics } from 'node:v8';
import { JobManagerService } from '../jobmaster/job-manager.service';
import type { JobMaster } from '../jobmaster/job-master';
import { backPressureView } from './back-pressure.view';
import { jobMetricMap, subtaskMetrics, taskManagerMetricMap, vertexMetricMap, vertexOf, type VertexEntry } from './job-metrics.views';
import { aggregate, listOrGet } from './metric-query';
import { jobWatermarks, vertexWatermarks } from './watermarks.view';

@Injectable()
export class JobMetricsService {
  constructor(private readonly jobs: JobManagerService) {}

  query(q: MessageBody<MetricsQuery>): Reply<MetricsReply> {
    const now = Date.now();
    switch (q.scope) {
      case MetricScopes.Jobs: {
        const jobs = this.jobs.jobMasters().filter((j) => !q.jobs || q.jobs.includes(j.jobId));
        return { metrics: aggregate(jobs.map((j) => jobMetricMap(j, now)), q.get, q.agg) };
      }
      case MetricScopes.Job:
        return { metrics: listOrGet(jobMetricMap(this.job(q), now), q.get) };
      case MetricScopes.Vertex:
        return { metrics: listOrGet(vertexMetricMap(this.vertex(q)), q.get) };
      case MetricScopes.VertexWatermarks: {
        // Flink's /watermarks: every subtask's input watermark with its value.
        const values = vertexWatermarks(this.vertex(q));
        return { metrics: listOrGet(values, [...values.keys()]) };
      }
      case MetricScopes.Subtasks: {
        const entry = this.vertex(q);
        const executions = entry.executions.filter((e) => !q.subtasks || q.subtasks.includes(e.subtaskIndex));
        return { metrics: aggregate(executions.map((e) => subtaskMetrics(entry, e)), q.get, q.agg) };
      }
      case MetricScopes.Subtask: {
        const entry = this.vertex(q);
        const e = entry.executions.find((x) => x.subtaskIndex === q.subtaskIndex);
        if (!e) throw new NotFoundError('Subtask', `${q.vertexId}/${q.subtaskIndex}`);
        return { metrics: listOrGet(subtaskMetrics(entry, e), q.get) };
      }
      case MetricScopes.TaskManager:
        if (!q.taskManagerId) throw new ValidationError('taskManagerId is required', [{ field: 'taskManagerId', problems: ['required for scope taskmanager'] }]);
        return { metrics: listOrGet(taskManagerMetricMap(this.jobs.jobMasters(), q.taskManagerId), q.get) };
      case MetricScopes.JobManager:
        return { metrics: listOrGet(this.jobManagerMetrics(), q.get) };
    }
  }

  backPressure(jobId: JobId, vertexId: string): Reply<BackPressureReply> {
    const job = this.jobs.lookup(jobId);
    const entry = vertexOf(job, vertexId);
    if (!entry) throw new NotFoundError('Vertex', vertexId);
    return backPressureView(job, entry, Date.now());
  }

  watermarks(jobId: JobId): Reply<JobWatermarksReply> {
    return jobWatermarks(this.jobs.lookup(jobId));
  }

  /** The JobManager process (Flink's Status.JVM.* names kept, so dashboards find them). */
  private jobManagerMetrics(): Map<string, number> {
    const heap = getHeapStatistics();
    const mem = process.memoryUsage();
    const jobs = this.jobs.jobMasters();
    return new Map<string, number>([
      ['Status.JVM.Memory.Heap.Used', heap.used_heap_size],
      ['Status.JVM.Memory.Heap.Committed', heap.total_heap_size],
      ['Status.JVM.Memory.Heap.Max', heap.heap_size_limit],
      ['Status.JVM.Memory.RSS', mem.rss],
      ['numRunningJobs', jobs.filter((j) => j.status === 'RUNNING').length],
      ['numJobs', jobs.length],
      ['uptime', Math.round(process.uptime() * 1000)],
    ]);
  }

  private job(q: { jobId?: JobId }): JobMaster {
    if (!q.jobId) throw new ValidationError('jobId is required', [{ field: 'jobId', problems: ['required for this scope'] }]);
    return this.jobs.lookup(q.jobId);
  }

  private vertex(q: { jobId?: JobId; vertexId?: string }): VertexEntry {
    const job = this.job(q);
    const entry = q.vertexId ? vertexOf(job, q.vertexId) : undefined;
    if (!entry) throw new NotFoundError('Vertex', q.vertexId ?? '(none)');
    return entry;
  }
}
