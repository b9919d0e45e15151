/**
 * The window operator's part of a keyed snapshot, in the generic layout (tables of [key,
 * namespace, value] rows by key group): a key group's windows and aligned timers in one row of
 * columns (window.columns.ts). Earlier versions wrote a row per key and the aligned timers in
 * table "window-timers", one row per key and kind ([key, "fire" | "cleanup", timestamps]); they
 * still restore. Session and processing-time windows keep timer rows with namespace "start:end",
 * which is also how the oldest savepoints hold every timer.
 */
import type { KeyedStateSnapshot } from '../state/state-snapshot.types';

export const WINDOW_CONTENTS_TABLE = 'window-contents';
export const WINDOW_PANES_TABLE = 'window-panes';
export const WINDOW_TIMERS_TABLE = 'window-timers';
export type AlignedTimerKind = 'fire' | 'cleanup';

export function pushWindowTimer(
  keyed: KeyedStateSnapshot,
  keyGroup: number,
  domain: 'event-time' | 'processing-time',
  key: unknown,
  start: number,
  end: number,
  timestamp: number,
): void {
  const g = (keyed.groups[keyGroup] ??= { tables: {} });
  (g.timers ??= []).push({ domain, key, namespace: `${start}:${end}`, timestamp });
}

/** The snapshot without window tables and timers: what the generic keyed backend restores (a window function's state). */
export function withoutWindowState(keyed: KeyedStateSnapshot): KeyedStateSnapshot {
  const rest: KeyedStateSnapshot = { groups: {} };
  for (const [kg, g] of Object.entries(keyed.groups)) {
    const tables = { ...g.tables };
    delete tables[WINDOW_CONTENTS_TABLE];
    delete tables[WINDOW_PANES_TABLE];
    delete tables[WINDOW_TIMERS_TABLE];
    rest.groups[kg] = { tables };
  }
  return rest;
}

export function hasPanes(keyed: KeyedStateSnapshot): boolean {
  return Object.values(keyed.groups).some((g) => g.tables[WINDOW_PANES_TABLE] !== undefined);
}
