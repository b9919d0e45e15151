/**
 * The worker side of user-code containment, installed before any job code runs in a slot's worker
 * (thread or child process):
 * - the watchdog tick: a timer that runs only when the event loop turns, so a user function that
 *   never returns (a spinning loop, a promise chain that never yields) stops it. Threads bump a
 *   shared counter (no message, no per-record cost); child processes post a `tick`.
 * - process.exit(): in a worker thread it ends only the thread (Node ≥ 12); the TaskManager is told
 *   first, with the caller's stack, so the failure names it.
 * - process.kill() of the TaskManager's process from user code is refused (a thread shares the
 *   TaskManager's pid; a child process's parent is the TaskManager). Not a security boundary: code
 *   that means harm can still reach the OS (child_process, native addons) — see the README.
 */
import type { FromSlotWorker, SlotWorkerData } from './slot-worker.messages';

export function startWatchdogTicks(data: SlotWorkerData, post: (message: FromSlotWorker) => void): void {
  const interval = data.tickIntervalMs ?? 250;
  const ticks = data.ticks;
  const tick = ticks ? () => void Atomics.add(ticks, 0, 1) : () => post({ type: 'tick' });
  tick();
  setInterval(tick, interval).unref();
}

export function guardProcess(post: (message: FromSlotWorker) => void, taskManagerPid: number): void {
  const exit = process.exit.bind(process);
  const exitByUserCode = (code?: number | string | null): never => {
    const numeric = code === undefined || code === null ? Number(process.exitCode ?? 0) : Number(code);
    const where: { stack?: string } = {};
    Error.captureStackTrace(where, exitByUserCode); // the caller's frames, not this wrapper's
    try {
      post({ type: 'exit-called', code: Number.isFinite(numeric) ? numeric : 1, ...(where.stack ? { stack: where.stack } : {}) });
    } catch {
      // the channel is gone: the exit code still tells
    }
    return exit(code as number);
  };
  process.exit = exitByUserCode as typeof process.exit;
  const kill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    if (Number(pid) === taskManagerPid) {
      throw Object.assign(new Error(`process.kill(${pid}) refused: ${pid} is the TaskManager's process, which user code may not signal`), { code: 'ERR_RUNNEL_KILL_REFUSED' });
    }
    return kill(pid, signal);
  }) as typeof process.kill;
}
