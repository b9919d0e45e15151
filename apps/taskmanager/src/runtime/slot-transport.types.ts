/**
 * How a TaskManager runs a slot's worker: a worker thread (default) or a child process
 * (TM_SLOT_ISOLATION=process). Both speak the messages of slot-worker.messages.ts; the host
 * (slot-worker.host.ts) sees only this interface.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { FromSlotWorker, ToSlotWorker } from './slot-worker.messages';

export type SlotIsolation = 'thread' | 'process';

/** The limits a TaskManager puts on user code in its slots (its settings). */
export interface SlotLimits {
  readonly isolation: SlotIsolation;
  /** TM_SLOT_MEMORY_MB: a thread's V8 heap (old generation); a process's V8 heap and its resident memory. */
  readonly memoryMb: number;
  /** TASK_STALL_TIMEOUT_MS: a worker whose event loop does not turn for this long is terminated (0: no watchdog). */
  readonly stallTimeoutMs: number;
  /** DEPLOY_TIMEOUT_MS: from deployment to RUNNING (module load, graph build, state restore, inputs). */
  readonly deployTimeoutMs: number;
  /** CANCEL_TIMEOUT_MS: a worker that does not stop its tasks within this long is terminated. */
  readonly cancelTimeoutMs: number;
}

export const DEFAULT_SLOT_LIMITS: SlotLimits = { isolation: 'thread', memoryMb: 1024, stallTimeoutMs: 30_000, deployTimeoutMs: 60_000, cancelTimeoutMs: 10_000 };

/** A young generation that suits the heap: V8's default is sized for big heaps. */
export function youngGenerationMb(memoryMb: number): number {
  return Math.max(4, Math.min(48, Math.floor(memoryMb / 16)));
}

/** How often a worker ticks for the watchdog, and how often the host looks. */
export function watchdogIntervals(stallTimeoutMs: number): { tickMs: number; checkMs: number } {
  const base = stallTimeoutMs > 0 ? stallTimeoutMs : 30_000;
  return { tickMs: Math.max(20, Math.min(500, Math.floor(base / 20))), checkMs: Math.max(50, Math.min(1000, Math.floor(base / 10))) };
}

export interface SlotTransportEvents {
  readonly message: (message: FromSlotWorker) => void;
  /** An error the worker died of (uncaught user error, heap exhausted) or a failure to talk to it. */
  readonly error: (error: Error) => void;
  /** The worker ended (after `error`, when it died of one). */
  readonly exit: (code: number | null, signal: NodeJS.Signals | null, detail?: { readonly outOfMemory?: boolean; readonly stderrTail?: string }) => void;
  /** What the worker wrote to its stdout or stderr (user code's console). */
  readonly output?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

/** What a stalled worker was doing: its stack, and how much of its JavaScript heap was in use. */
export interface StallCapture {
  readonly frames?: string;
  readonly heapUsedBytes?: number;
}

export interface SlotTransport {
  readonly isolation: SlotIsolation;
  /** The worker's process (a thread: the TaskManager's own). */
  readonly pid: number;
  /** MessagePorts (in-process channels) can be handed to this worker; else its records all go through JetStream. */
  readonly transfersPorts: boolean;
  /** `transfer`: MessagePorts and ArrayBuffers that move to a thread (a process gets copies). */
  post(message: ToSlotWorker, transfer?: readonly TransferListItem[]): void;
  /** Event-loop ticks of the worker so far (grows while its loop turns). */
  ticks(): number;
  /** Resident memory of the worker in bytes, when it is measurable on its own (a process); else undefined. */
  residentBytes(): number | undefined;
  /**
   * Best effort: the JavaScript stack the worker executes now (it may be spinning) and its heap use
   * at that moment; undefined when unavailable.
   */
  captureStack(timeoutMs: number): Promise<StallCapture | undefined>;
  /** Ends the worker, also one that spins; resolves when it is gone. */
  terminate(): Promise<void>;
}

export type SlotTransportFactory = (
  options: { readonly entry: string; readonly slotIndex: number; readonly workerData: object; readonly limits: SlotLimits },
  events: SlotTransportEvents,
) => SlotTransport;
