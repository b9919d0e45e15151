/**
 * The ExecutionGraph of one job attempt: an ExecutionJobVertex per JobVertex, an ExecutionVertex
 * per subtask, and its current Execution with Flink's states and the time it entered each. Pure
 * bookkeeping, no I/O, so the JobMaster's decisions are unit-tested on it directly.
 */
import { AllocationId, ExecutionAttemptId, ExecutionAttemptIds, ResourceId, ExecutionState, ExecutionStates, TERMINAL_EXECUTION_STATES, TaskFailure, TaskMetrics } from '@runnel/protocol';
import type { JobGraph, JobVertex } from '@runnel/dataflow';

export interface SlotAssignment {
  readonly allocationId: AllocationId;
  readonly resourceId: ResourceId;
  readonly slotIndex: number;
  readonly address: string;
}

export interface Execution {
  readonly attemptId: ExecutionAttemptId;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  state: ExecutionState;
  readonly timestamps: Partial<Record<ExecutionState, number>>;
  slot?: SlotAssignment;
  failure?: TaskFailure;
  metrics: TaskMetrics;
}

export interface ExecutionJobVertex {
  readonly vertex: JobVertex;
  readonly executions: Execution[];
}

/** Flink's allowed transitions; anything else is ignored as a late or duplicate report. */
const NEXT: Record<ExecutionState, readonly ExecutionState[]> = {
  CREATED: ['SCHEDULED', 'CANCELED', 'FAILED'],
  SCHEDULED: ['DEPLOYING', 'CANCELED', 'FAILED'],
  DEPLOYING: ['INITIALIZING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  INITIALIZING: ['RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  RUNNING: ['FINISHED', 'CANCELING', 'CANCELED', 'FAILED'],
  CANCELING: ['CANCELED', 'FINISHED', 'FAILED'],
  FINISHED: [],
  CANCELED: [],
  FAILED: [],
};

export class ExecutionGraph {
  readonly jobVertices: ExecutionJobVertex[];
  private readonly byAttempt = new Map<ExecutionAttemptId, Execution>();

  constructor(
    readonly jobGraph: JobGraph,
    readonly attempt: number,
    now: number,
    /** Told of every state change of an execution (the job's event log). */
    private readonly onTransition?: (execution: Execution, from: ExecutionState, to: ExecutionState, at: number) => void,
  ) {
    this.jobVertices = jobGraph.vertices.map((vertex) => ({
      vertex,
      executions: Array.from({ length: vertex.parallelism }, (_, subtaskIndex) => {
        const execution: Execution = {
          attemptId: ExecutionAttemptIds.generate(),
          vertexId: vertex.id,
          subtaskIndex,
          state: ExecutionStates.Created,
          timestamps: { CREATED: now },
          metrics: { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0 },
        };
        this.byAttempt.set(execution.attemptId, execution);
        return execution;
      }),
    }));
  }

  /** Slots this job needs: per slot sharing group, its highest parallelism (Flink's slot sharing). */
  static requiredSlots(jobGraph: JobGraph): number {
    const perGroup = new Map<string, number>();
    for (const v of jobGraph.vertices) perGroup.set(v.slotSharingGroup, Math.max(perGroup.get(v.slotSharingGroup) ?? 0, v.parallelism));
    return [...perGroup.values()].reduce((a, b) => a + b, 0);
  }

  /**
   * Slot k of each sharing group runs subtask k of every vertex in the group: one parallel slice of
   * the job per slot, so the tasks of a slice exchange records inside one TaskManager.
   */
  assignSlots(slots: readonly SlotAssignment[], now: number): void {
    const groups = [...new Set(this.jobGraph.vertices.map((v) => v.slotSharingGroup))].sort();
    let offset = 0;
    const firstSlotOf = new Map<string, number>();
    for (const group of groups) {
      firstSlotOf.set(group, offset);
      offset += Math.max(...this.jobGraph.vertices.filter((v) => v.slotSharingGroup === group).map((v) => v.parallelism));
    }
    if (slots.length < offset) throw new Error(`job needs ${offset} slots, got ${slots.length}`);
    for (const { vertex, executions } of this.jobVertices) {
      for (const execution of executions) {
        execution.slot = slots[firstSlotOf.get(vertex.slotSharingGroup)! + execution.subtaskIndex];
        this.transition(execution, ExecutionStates.Scheduled, now);
      }
    }
  }

  /** Where each subtask runs: vertexId → ResourceId per subtask index. */
  locations(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const { vertex, executions } of this.jobVertices) out[vertex.id] = executions.map((e) => e.slot?.resourceId ?? '');
    return out;
  }

  /** The slot of each subtask: vertexId → allocation id per subtask index. */
  slotLocations(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const { vertex, executions } of this.jobVertices) out[vertex.id] = executions.map((e) => e.slot?.allocationId ?? '');
    return out;
  }

  executions(): Execution[] {
    return this.jobVertices.flatMap((v) => v.executions);
  }

  get(attemptId: ExecutionAttemptId): Execution | undefined {
    return this.byAttempt.get(attemptId);
  }

  /** Applies a state change if Flink's state machine allows it; returns whether it did. */
  transition(execution: Execution, state: ExecutionState, now: number): boolean {
    if (execution.state === state || !NEXT[execution.state].includes(state)) return false;
    const from = execution.state;
    execution.state = state;
    execution.timestamps[state] = now;
    this.onTransition?.(execution, from, state, now);
    return true;
  }

  allFinished(): boolean {
    return this.executions().every((e) => e.state === ExecutionStates.Finished);
  }

  allTerminal(): boolean {
    return this.executions().every((e) => TERMINAL_EXECUTION_STATES.includes(e.state));
  }

  /** TaskManagers that run (or ran) a task of this attempt. */
  taskManagers(): ResourceId[] {
    return [...new Set(this.executions().flatMap((e) => (e.slot ? [e.slot.resourceId] : [])))].sort();
  }
}
