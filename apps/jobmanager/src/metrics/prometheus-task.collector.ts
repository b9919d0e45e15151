/**
 * Prometheus series of the jobs' tasks and operators, in the form of Flink's Prometheus reporter
 * with `runnel_` for `flink_`: `runnel_taskmanager_job_task_<metric>` and
 * `runnel_taskmanager_job_task_operator_<metric>` with labels job_id, job_name, task_name,
 * subtask_index, operator_name and tm_id, and `runnel_jobmanager_job_<metric>`. The values are read
 * at scrape time from the subtasks' last reports; only jobs that have not ended have series, so a
 * job's series disappear when it ends, and there are never per-key labels: series are bounded by
 * operators × subtasks per job.
 */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { OPERATOR_METRICS, TASK_METRICS } from '@runnel/dataflow';
import { MetricsRegistry } from '@runnel/service-kit';
import { Gauge } from 'prom-client';
import { JobManagerService } from '../jobmaster/job-manager.service';
import type { JobMaster } from '../jobmaster/job-master';
import { jobMetricMap } from './job-metrics.views';

const TASK_LABELS = ['job_id', 'job_name', 'task_name', 'subtask_index', 'tm_id'] as const;
const OPERATOR_LABELS = [...TASK_LABELS, 'operator_name'] as const;
const JOB_METRICS = ['numRestarts', 'uptime', 'downtime', 'lastCheckpointDuration', 'lastCheckpointSize', 'numberOfCompletedCheckpoints', 'numberOfFailedCheckpoints', 'numberOfInProgressCheckpoints', 'totalNumberOfCheckpoints'];
/** User metric names are identifiers (checked where they are registered); at most this many distinct ones get a gauge. */
const MAX_USER_GAUGES = 256;

type TaskLabels = Record<(typeof TASK_LABELS)[number], string>;

@Injectable()
export class PrometheusTaskCollector implements OnModuleInit {
  private readonly userGauges = new Map<string, Gauge<string>>();

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly jobs: JobManagerService,
  ) {}

  onModuleInit(): void {
    const live = () => this.jobs.jobMasters().filter((j) => !j.isTerminal());
    for (const [i, name] of TASK_METRICS.entries()) {
      this.gauge(`runnel_taskmanager_job_task_${name}`, `Flink task metric ${name}`, [...TASK_LABELS], (g) => {
        for (const job of live()) this.eachTask(job, (labels, snapshot) => g.set(labels, snapshot.task[i] ?? 0));
      });
    }
    for (const [i, name] of OPERATOR_METRICS.entries()) {
      this.gauge(`runnel_taskmanager_job_task_operator_${name}`, `Flink operator metric ${name}`, [...OPERATOR_LABELS], (g) => {
        for (const job of live()) {
          this.eachTask(job, (labels, snapshot, operators) => operators.forEach((op, k) => g.set({ ...labels, operator_name: op }, snapshot.ops[k]?.[i] ?? 0)));
        }
      });
    }
    for (const name of JOB_METRICS) {
      this.gauge(`runnel_jobmanager_job_${name}`, `Flink job metric ${name}`, ['job_id', 'job_name'], (g) => {
        const now = Date.now();
        for (const job of live()) g.set({ job_id: job.jobId, job_name: job.name }, jobMetricMap(job, now).get(name) ?? 0);
      });
    }
    // User-defined metrics: one gauge per distinct name, created when first reported.
    this.gauge('runnel_taskmanager_job_task_operator_user_metrics', 'user-defined metrics reported (count of series)', [], (g) => {
      let n = 0;
      for (const job of live()) {
        this.eachTask(job, (labels, snapshot, operators) =>
          operators.forEach((op, k) => {
            for (const [name, v] of Object.entries(snapshot.user[k] ?? {})) {
              const user = this.userGauge(name);
              if (!user) continue;
              user.set({ ...labels, operator_name: op }, v);
              n++;
            }
          }));
      }
      g.set(n);
    }, true);
  }

  private userGauge(name: string): Gauge<string> | undefined {
    const existing = this.userGauges.get(name);
    if (existing) return existing;
    if (this.userGauges.size >= MAX_USER_GAUGES || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
    // Reset and filled by the user_metrics collector above, which runs before it in the scrape.
    const g = new Gauge({ name: `runnel_taskmanager_job_task_operator_${name}`, help: `user metric ${name}`, labelNames: [...OPERATOR_LABELS], registers: [this.registry] });
    this.userGauges.set(name, g);
    return g;
  }

  private gauge(name: string, help: string, labelNames: string[], fill: (g: Gauge<string>) => void, resetsUser = false): void {
    const userGauges = this.userGauges;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        if (resetsUser) for (const u of userGauges.values()) u.reset();
        fill(this);
      },
    });
  }

  private eachTask(job: JobMaster, f: (labels: TaskLabels, snapshot: NonNullable<JobMaster['graph']['jobVertices'][number]['executions'][number]['metrics']['snapshot']>, operators: string[]) => void): void {
    for (const { vertex, executions } of job.graph.jobVertices) {
      const operators = vertex.operators.map((o) => o.name);
      for (const e of executions) {
        const snapshot = e.metrics.snapshot;
        if (!snapshot) continue;
        f({ job_id: job.jobId, job_name: job.name, task_name: vertex.name, subtask_index: String(e.subtaskIndex), tm_id: e.slot?.resourceId ?? '' }, snapshot, operators);
      }
    }
  }
}
