/**
 * The failures a TaskManager reports for the tasks of a slot whose worker it had to end, or that
 * ended itself: each names the slot, the subtasks that fail with it, the limit and its setting.
 */
import type { TaskFailure } from '@runnel/protocol';
import type { SlotIsolation, SlotLimits } from './slot-transport.types';

export interface SlotContext {
  readonly slotIndex: number;
  readonly isolation: SlotIsolation;
  readonly limits: SlotLimits;
  /** Names of the subtasks in the slot (task names, or vertex ids of those not built yet). */
  readonly tasks: readonly string[];
  /** Some subtask was still being deployed and none had its task built yet (module load / graph build). */
  readonly building: boolean;
}

const worker = (c: SlotContext) => (c.isolation === 'thread' ? `worker thread` : `worker process`);
const everyTask = (c: SlotContext) =>
  c.tasks.length === 0 ? '' : c.tasks.length === 1 ? ` The slot's subtask ${c.tasks[0]} fails with it.` : ` Every subtask in slot ${c.slotIndex} fails over with it: ${c.tasks.join(', ')}.`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function failure(name: string, message: string, frames?: string): TaskFailure {
  return { name, message, stack: `${name}: ${message}${frames ? `\n${frames}` : ''}` };
}

export function stallFailure(c: SlotContext, stalledForMs: number, frames: string | undefined, heapUsedBytes?: number): TaskFailure {
  const heap = heapUsedBytes === undefined ? '' : ` Its JavaScript heap had ${Math.round(heapUsedBytes / 1048576)} MB in use (TM_SLOT_MEMORY_MB=${c.limits.memoryMb}).`;
  const where = c.building ? `while loading the job module or building its graph (deploying ${c.tasks.join(', ')})` : `in ${c.tasks.join(', ') || 'the slot'}`;
  return failure(
    'TaskStalledError',
    `Task stalled: the ${worker(c)} of slot ${c.slotIndex} has not returned to its event loop for ${seconds(stalledForMs)} (TASK_STALL_TIMEOUT_MS=${c.limits.stallTimeoutMs}) — user code ${where} does not return (an endless loop, or synchronous work that takes longer than that). ` +
      `The ${worker(c)} was terminated and is replaced for the next deployment.${everyTask(c)}${heap}` +
      (frames ? ' Where it was running when it was stopped:' : c.isolation === 'thread' ? ' (its stack could not be captured.)' : ''),
    frames,
  );
}

export function heapFailure(c: SlotContext, heapUsedBytes?: number): TaskFailure {
  const reached = heapUsedBytes === undefined ? 'reached' : `was stuck in garbage collection with about ${Math.round(heapUsedBytes / 1048576)} MB in use, near`;
  return failure(
    'SlotOutOfMemoryError',
    `Out of memory: the ${worker(c)} of slot ${c.slotIndex} ${reached} its JavaScript heap limit of ${c.limits.memoryMb} MB (TM_SLOT_MEMORY_MB=${c.limits.memoryMb}) and was ended; the TaskManager runs on and the slot gets a new worker.${everyTask(c)} ` +
      `Keep less in memory (state, buffered records), raise the parallelism, or raise TM_SLOT_MEMORY_MB.`,
  );
}

export function residentMemoryFailure(c: SlotContext, rssBytes: number): TaskFailure {
  return failure(
    'SlotOutOfMemoryError',
    `Out of memory: the worker process of slot ${c.slotIndex} used ${Math.round(rssBytes / 1048576)} MB of resident memory, over its limit of ${c.limits.memoryMb} MB (TM_SLOT_MEMORY_MB=${c.limits.memoryMb}; Buffers and ArrayBuffers count), and was killed; the TaskManager runs on and the slot gets a new worker.${everyTask(c)}`,
  );
}

export function exitFailure(c: SlotContext, code: number, userStack: string | undefined): TaskFailure {
  const frames = userStack?.split('\n').slice(1).join('\n');
  return failure(
    'UserCodeExitError',
    `User code called process.exit(${code}) in slot ${c.slotIndex}: that ended the slot's ${worker(c)} (not the TaskManager, which runs on; the slot gets a new worker).${everyTask(c)} A job function must throw to fail, not exit.`,
    frames,
  );
}

export function lostFailure(c: SlotContext, code: number | null, signal: NodeJS.Signals | null, stderrTail?: string): TaskFailure {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const hint = signal === 'SIGABRT' || code === 134 ? ' (process.abort(), or a native crash)' : '';
  return failure(
    'SlotWorkerLostError',
    `The ${worker(c)} of slot ${c.slotIndex} ${how}${hint}; the TaskManager runs on and the slot gets a new worker.${everyTask(c)}` +
      (stderrTail ? ` Its last output (stderr):\n${stderrTail}` : ''),
  );
}

/** An error the worker died of outside any task (an uncaught exception or rejection in user code): its own stack, and what it did. */
export function uncaughtFailure(c: SlotContext, error: Error): TaskFailure {
  const note = `(uncaught in slot ${c.slotIndex}'s ${worker(c)}, outside the task loop — e.g. thrown in a timer or a promise nobody awaited: it ended the worker.${everyTask(c)})`;
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  return { name: error.name, message: `${error.message} ${note}`, stack: `${stack}\n${note}` };
}

export function deployTimeoutFailure(c: SlotContext, vertexId: string): TaskFailure {
  return failure(
    'DeployTimeoutError',
    `Deploying ${vertexId} into slot ${c.slotIndex} did not complete within DEPLOY_TIMEOUT_MS=${c.limits.deployTimeoutMs}: loading the job module, running its default export to build the graph, restoring state or connecting the task's inputs did not finish ` +
      `(does the module's top level or default export wait for something that never happens?). The ${worker(c)} was terminated and is replaced.${everyTask(c)}`,
  );
}

export function cancelTimeoutFailure(c: SlotContext): TaskFailure {
  return failure(
    'CancelTimeoutError',
    `Cancelling did not complete within CANCEL_TIMEOUT_MS=${c.limits.cancelTimeoutMs}: user code in slot ${c.slotIndex} does not stop (a function that never returns or awaits forever). The ${worker(c)} was terminated.${everyTask(c)}`,
  );
}
