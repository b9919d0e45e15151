/**
 * The window operator's part of a keyed snapshot, in the generic format: tables of rows
 * [key, "start:end", accumulator] and timer rows whose namespace is "start:end".
 */
import type { KeyedStateSnapshot } from '../state/state-snapshot.types';

export const WINDOW_CONTENTS_TABLE = 'window-contents';
export const WINDOW_PANES_TABLE = 'window-panes';

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
    rest.groups[kg] = { tables };
  }
  return rest;
}

export function hasPanes(keyed: KeyedStateSnapshot): boolean {
  return Object.values(keyed.groups).some((g) => g.tables[WINDOW_PANES_TABLE] !== undefined);
}
