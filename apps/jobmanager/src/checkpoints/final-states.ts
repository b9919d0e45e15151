/**
 * Checkpoints taken after some tasks finished (Flink 1.15's checkpoints with finished tasks): a
 * task ends only after its final checkpoint completed, and its state no longer changes, so each
 * later checkpoint takes that task's handle from the checkpoint before it. The latest completed
 * checkpoint thus always covers every subtask — a restore after a finished sink gives it its final
 * state (everything committed, nothing to write again) instead of an older one to replay from.
 */
import { ExecutionGraph } from '../jobmaster/execution-graph';
import { CheckpointRecord } from './checkpoint.repository';
import { StoredHandle } from './checkpoint.entity';

/** Adds, for every finished subtask without a handle in `handles`, its handle in `previous`. */
export function carryFinalStates(handles: StoredHandle[], graph: ExecutionGraph, previous: CheckpointRecord | undefined): void {
  if (!previous) return;
  for (const e of graph.executions()) {
    if (e.state !== 'FINISHED' || handles.some((h) => h.vertexId === e.vertexId && h.subtaskIndex === e.subtaskIndex)) continue;
    const final = previous.handles.find((h) => h.vertexId === e.vertexId && h.subtaskIndex === e.subtaskIndex);
    if (final) handles.push({ ...final });
  }
}
