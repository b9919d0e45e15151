/**
 * This TaskManager's own Prometheus series, as Flink's reporter exposes them on each TaskManager:
 * `runnel_taskmanager_job_task_<metric>` and `runnel_taskmanager_job_task_operator_<metric>` of
 * the subtasks running here (labels job_id, job_name, task_name, subtask_index, tm_id and
 * operator_name; the same names and labels as the JobManager's /metrics, which has every
 * TaskManager's), its slots, and the heap of each slot worker. Values are the subtasks' last
 * reports, read at scrape time; a task's series go when it ends, and never carry a per-key label.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { OPERATOR_METRICS, TASK_METRICS } from '@runnel/dataflow';
import { MetricsRegistry } from '@runnel/service-kit';
import { Gauge } from 'prom-client';
import { TASK_MANAGER_ID } from '../registration/resource-manager-connection.service';
import { TaskSlotTable } from '../slots/task-slot-table';
import { LiveTask, TaskExecutorService } from './task-executor.service';

const TASK_LABELS = ['job_id', 'job_name', 'task_name', 'subtask_index', 'tm_id'] as const;
const OPERATOR_LABELS = [...TASK_LABELS, 'operator_name'] as const;
const SLOT_LABELS = ['slot_index', 'job_id', 'tm_id'] as const;

type Labels = Record<string, string>;

@Injectable()
export class TaskManagerPrometheusCollector implements OnModuleInit {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly executor: TaskExecutorService,
    private readonly slots: TaskSlotTable,
    @Inject(TASK_MANAGER_ID) private readonly tmId: string,
  ) {}

  onModuleInit(): void {
    for (const [i, name] of TASK_METRICS.entries()) {
      this.gauge(`runnel_taskmanager_job_task_${name}`, `Flink task metric ${name} of the subtasks on this TaskManager`, TASK_LABELS, (g) =>
        this.eachTask((labels, task) => g.set(labels, task.metrics!.snapshot!.task[i] ?? 0)),
      );
    }
    for (const [i, name] of OPERATOR_METRICS.entries()) {
      this.gauge(`runnel_taskmanager_job_task_operator_${name}`, `Flink operator metric ${name} of the subtasks on this TaskManager`, OPERATOR_LABELS, (g) =>
        this.eachTask((labels, task) => {
          const names = task.deployment.operatorNames ?? [];
          task.metrics!.snapshot!.ops.forEach((values, k) => g.set({ ...labels, operator_name: names[k] ?? `operator-${k}` }, values[i] ?? 0));
        }),
      );
    }
    this.gauge('runnel_taskmanager_taskSlotsTotal', 'slots of this TaskManager', ['tm_id'], (g) => g.set({ tm_id: this.tmId }, this.slots.numberOfSlots));
    this.gauge('runnel_taskmanager_taskSlotsAvailable', 'slots of this TaskManager no job holds', ['tm_id'], (g) =>
      g.set({ tm_id: this.tmId }, this.slots.report().filter((s) => !s.allocationId).length),
    );
    // A slot's worker runs all of the slot's subtasks, which report the same heap: one series per slot.
    for (const [field, help] of [
      ['heapUsed', 'JavaScript heap used by the slot worker (bytes)'],
      ['heapLimit', 'JavaScript heap limit of the slot worker (bytes)'],
    ] as const) {
      this.gauge(`runnel_taskmanager_slot_${field}`, help, SLOT_LABELS, (g) => {
        for (const task of this.executor.liveTasks()) {
          const value = task.metrics?.[field];
          if (value !== undefined) g.set({ slot_index: String(task.deployment.slotIndex), job_id: task.deployment.jobId, tm_id: this.tmId }, value);
        }
      });
    }
  }

  private eachTask(f: (labels: Labels, task: LiveTask) => void): void {
    for (const task of this.executor.liveTasks()) {
      if (!task.metrics?.snapshot) continue;
      const d = task.deployment;
      f({ job_id: d.jobId, job_name: d.jobName, task_name: d.taskName ?? d.vertexId, subtask_index: String(d.subtaskIndex), tm_id: this.tmId }, task);
    }
  }

  private gauge(name: string, help: string, labelNames: readonly string[], fill: (g: Gauge<string>) => void): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      collect() {
        // Rebuilt at each scrape: series of ended tasks disappear.
        this.reset();
        fill(this);
      },
    });
  }
}
