/**
 * A slot's worker as a worker thread: V8 heap limits from TM_SLOT_MEMORY_MB (resourceLimits), the
 * watchdog counter in a SharedArrayBuffer the worker bumps from a timer (the host reads it without
 * a message, so a busy TaskManager never mistakes itself for a stalled worker), and the stack of a
 * spinning thread through the inspector.
 */
import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import { slotWorkerEnv } from './slot-worker.env';
import { captureThreadStack } from './slot-stack.inspector';
import type { FromSlotWorker, ToSlotWorker } from './slot-worker.messages';
import { SlotTransport, SlotTransportFactory, watchdogIntervals, youngGenerationMb } from './slot-transport.types';

export const threadTransport: SlotTransportFactory = ({ entry, slotIndex, workerData, limits }, events): SlotTransport => {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(entry, {
    workerData: { ...workerData, ticks: counter, tickIntervalMs: watchdogIntervals(limits.stallTimeoutMs).tickMs },
    name: `slot-${slotIndex}`,
    // A copy without the cluster's secrets (the default would copy the TaskManager's whole environment).
    env: slotWorkerEnv(process.env),
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: youngGenerationMb(limits.memoryMb) },
    // The host reads the worker's console (the task's stdout file), rather than it going to the TaskManager's.
    stdout: true,
    stderr: true,
  });
  worker.stdout.on('data', (chunk: Buffer) => events.output?.('stdout', chunk));
  worker.stderr.on('data', (chunk: Buffer) => events.output?.('stderr', chunk));
  let outOfMemory = false;
  let ended: Promise<void> | undefined;
  const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: FromSlotWorker) => events.message(message));
  worker.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true;
    events.error(error);
  });
  worker.on('exit', (code) => events.exit(code, null, { outOfMemory }));
  return {
    isolation: 'thread',
    pid: process.pid,
    transfersPorts: true,
    post: (message: ToSlotWorker, transfer?: readonly TransferListItem[]) => worker.postMessage(message, transfer ? [...transfer] : undefined),
    ticks: () => Atomics.load(counter, 0),
    residentBytes: () => undefined,
    captureStack: (timeoutMs) => captureThreadStack(worker.threadId, timeoutMs),
    terminate: () => {
      ended ??= worker.terminate().then(() => gone, () => gone);
      return ended;
    },
  };
};
