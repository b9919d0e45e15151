/**
 * Redistributes keyed snapshots taken at one parallelism to another: key groups are merged and
 * split by the new subtasks' key-group ranges (what Flink does on rescale from a savepoint).
 */
import { keyGroupRangeForSubtask, keyGroupRangeContains } from '../../core/key-group.assignment';
import type { KeyedStateSnapshot, OperatorStateSnapshot } from './state-snapshot.types';

export function mergeKeyedState(snapshots: readonly (KeyedStateSnapshot | undefined)[]): KeyedStateSnapshot {
  const out: KeyedStateSnapshot = { groups: {} };
  for (const s of snapshots) if (s) Object.assign(out.groups, s.groups);
  return out;
}

export function redistributeKeyedState(
  snapshots: readonly (KeyedStateSnapshot | undefined)[],
  maxParallelism: number,
  newParallelism: number,
): KeyedStateSnapshot[] {
  const merged = mergeKeyedState(snapshots);
  return Array.from({ length: newParallelism }, (_, i) => {
    const range = keyGroupRangeForSubtask(maxParallelism, newParallelism, i);
    const part: KeyedStateSnapshot = { groups: {} };
    for (const [kg, g] of Object.entries(merged.groups)) if (keyGroupRangeContains(range, Number(kg))) part.groups[kg] = g;
    return part;
  });
}

/**
 * Scale-in: the non-keyed operator state of old subtasks that no longer exist (index >= the new
 * parallelism) goes to subtask `oldIndex mod parallelism`, so side effects they prepared (a
 * sink's pending files or transactions) are committed or cleaned up by someone. Returns the
 * states adopted by `subtaskIndex`, ordered by old subtask index.
 */
export function orphanedOperatorStates(all: readonly OperatorStateSnapshot[], subtaskIndex: number, parallelism: number): unknown[] {
  return all
    .filter((s) => s.subtaskIndex >= parallelism && s.subtaskIndex % parallelism === subtaskIndex && s.operator !== undefined)
    .sort((a, b) => a.subtaskIndex - b.subtaskIndex)
    .map((s) => s.operator);
}
