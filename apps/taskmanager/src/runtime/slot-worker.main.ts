/**
 * Entry of a slot's worker: one per slot runs that slot's subtasks. A worker thread (default) talks
 * to the TaskManager over its parentPort; a child process (TM_SLOT_ISOLATION=process) gets the same
 * messages over its IPC channel and ends when that channel closes (the TaskManager is gone).
 * It opens no NATS connection: its record exchange and checkpoint state go through the
 * TaskManager (slot-io.client.ts).
 */
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { stopEsbuild } from '@runnel/dataflow';
import { guardProcess, startWatchdogTicks } from './slot-worker.guard';
import { FromSlotWorker, SLOT_WORKER_DATA_ENV, SlotWorkerData, ToSlotWorker } from './slot-worker.messages';
import { SlotTaskRunner } from './task-runner';
import { takeCpuProfile } from './slot-cpu.profiler';
import { SlotExchangeIo } from './slot-io.client';

const inThread = !isMainThread && parentPort !== null;
const data = (inThread ? workerData : JSON.parse(process.env[SLOT_WORKER_DATA_ENV] ?? '{}')) as SlotWorkerData;
const post: (message: FromSlotWorker) => void = inThread
  ? (message) => parentPort!.postMessage(message)
  : (message) => {
      if (process.connected) process.send!(message);
    };
const io = new SlotExchangeIo(
  inThread
    ? (request, transfer) => parentPort!.postMessage({ type: 'io', request } satisfies FromSlotWorker, transfer)
    : (request) => {
        if (process.connected) process.send!({ type: 'io', request } satisfies FromSlotWorker);
      },
);
const onMessage = (handler: (message: ToSlotWorker) => void) => (inThread ? parentPort!.on('message', handler) : process.on('message', handler));
const exitNow = process.exit.bind(process); // before guardProcess wraps it
// A process's stack, when its main thread spins, can only be taken from another thread of its own.
if (!inThread && data.stackPipe) new Worker(join(__dirname, 'slot-process-stack.thread.js')).unref();
if (!inThread) {
  process.on('disconnect', () => exitNow(0));
  // A thread's uncaught error reaches the TaskManager as its 'error' event; a process tells it, then ends.
  process.on('uncaughtException', (error: Error) => {
    const end = () => exitNow(1);
    setTimeout(end, 1000).unref();
    const e = error instanceof Error ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { name: 'Error', message: String(error) };
    if (process.connected) process.send!({ type: 'uncaught', error: e } satisfies FromSlotWorker, end);
    else end();
  });
}

startWatchdogTicks(data, post);
guardProcess(post, inThread ? process.pid : process.ppid);

const described = new Set<string>();
const runner: SlotTaskRunner = new SlotTaskRunner(
  io,
  (event) => {
    if (event.state === 'RUNNING' && !described.has(event.executionAttemptId)) {
      const taskName = runner.taskName(event.executionAttemptId);
      if (taskName) {
        described.add(event.executionAttemptId);
        post({ type: 'task', executionAttemptId: event.executionAttemptId, taskName });
      }
    }
    post({ type: 'state', event });
  },
  (event) => post({ type: 'checkpoint', event }),
  data.clusterId,
  data.bufferTimeoutMs,
);

onMessage((message: ToSlotWorker) => {
  switch (message.type) {
    case 'io-reply':
      io.onReply(message.reply);
      return;
    case 'io-message':
      io.onMessage(message.sid, message.bytes);
      return;
    case 'deploy':
      void runner.deploy(message.deployment, message.artifactPath, message.ports);
      return;
    case 'cancel':
      void (message.executionAttemptId ? runner.cancel(message.executionAttemptId) : runner.cancelAll()).finally(() =>
        post({ type: 'done', requestId: message.requestId }));
      return;
    case 'trigger-checkpoint':
      runner.triggerCheckpoint(message.jobId, message.executionAttemptId, message.checkpointId);
      return;
    case 'checkpoint-complete':
      runner.notifyCheckpointComplete(message.jobId, message.checkpointId);
      return;
    case 'drain':
      runner.drain(message.jobId);
      return;
    case 'close':
      // The host ends the worker next: esbuild (a deployment may still be bundling) goes first, or
      // its process would be left a zombie (loadJobModule stops it after each bundle otherwise).
      void runner.close().finally(() => stopEsbuild()).finally(() => post({ type: 'done', requestId: message.requestId }));
      return;
    case 'profile':
      takeCpuProfile(message.durationMs, message.samplingIntervalUs).then(
        (profile) => post({ type: 'profile', requestId: message.requestId, profile }),
        (error: Error) => post({ type: 'profile', requestId: message.requestId, error: error.message }),
      );
      return;
  }
});
