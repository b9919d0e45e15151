/**
 * Plain-object snapshot formats (msgpackr- and JSON-encodable). Keyed state is grouped by key
 * group so that it can be redistributed when the parallelism changes.
 */

export interface StateTableSnapshot {
  readonly kind: string;
  /** [key, namespace, value] */
  readonly rows: [unknown, string, unknown][];
}

export interface TimerSnapshotRow {
  readonly domain: 'event-time' | 'processing-time';
  readonly key: unknown;
  readonly namespace: string;
  readonly timestamp: number;
}

export interface KeyGroupSnapshot {
  tables: Record<string, StateTableSnapshot>;
  timers?: TimerSnapshotRow[];
}

export interface KeyedStateSnapshot {
  /** key group (as decimal string) → its state */
  groups: Record<string, KeyGroupSnapshot>;
}

/** State of one operator in one subtask. */
export interface OperatorStateSnapshot {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  keyed?: KeyedStateSnapshot;
  /** Non-keyed operator state (e.g. a source reader's position); belongs to one subtask. */
  operator?: unknown;
  /**
   * Only in a snapshot handed to `initializeState` on a scale-in restore: the operator states of
   * old subtasks that no longer exist and were assigned to this one (see orphanedOperatorStates).
   */
  adopted?: unknown[];
}
