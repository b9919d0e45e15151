// Linux /proc helpers: is a process alive (zombies count as dead), when did it start (to tell a
// process from a later one that reuses its pid), and which processes descend from a pid.

import { readFileSync, readdirSync } from 'node:fs';

interface ProcStat {
  readonly pid: number;
  readonly state: string;
  readonly ppid: number;
  readonly startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const [state = '', ppid = '', ...more] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Field 22 of stat, the 20th after the command name.
    return { pid, state, ppid: Number(ppid), startTime: more[17] ?? '' };
  } catch {
    return undefined;
  }
}

/** True when `pid` runs (a zombie, dead but not yet reaped, is not alive). */
export function isProcessAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X';
  if (process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kernel start time of `pid` (clock ticks since boot), or undefined when it does not exist. */
export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** Pids of all living descendants of `pid` (children, grandchildren, …). */
export function descendantPids(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat || stat.state === 'Z') continue;
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat.pid);
    byParent.set(stat.ppid, siblings);
  }
  const result: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of byParent.get(next) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}
