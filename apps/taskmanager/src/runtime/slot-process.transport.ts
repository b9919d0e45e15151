/**
 * A slot's worker as a child process (TM_SLOT_ISOLATION=process): the same entry and messages as a
 * worker thread, over the IPC channel (structured clone: `serialization: 'advanced'`). Its V8 heap
 * is limited with --max-old-space-size; its resident memory — Buffers and ArrayBuffers included,
 * which no V8 flag bounds — is polled by the host against TM_SLOT_MEMORY_MB. Whatever user code
 * does to its own process (process.exit, process.abort, a signal, a native crash) ends only it.
 * In-process channels (MessagePorts) cannot cross processes: its records all go through JetStream.
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FromSlotWorker, ToSlotWorker } from './slot-worker.messages';
import { SLOT_WORKER_DATA_ENV } from './slot-worker.messages';
import { slotWorkerEnv } from './slot-worker.env';
import { SlotTransport, SlotTransportFactory, watchdogIntervals, youngGenerationMb } from './slot-transport.types';

const STDERR_TAIL = 8192;

export const processTransport: SlotTransportFactory = ({ entry, slotIndex, workerData, limits }, events): SlotTransport => {
  const young = youngGenerationMb(limits.memoryMb);
  const data = { ...workerData, tickIntervalMs: watchdogIntervals(limits.stallTimeoutMs).tickMs };
  const child: ChildProcess = fork(entry, [`--slot=${slotIndex}`], {
    serialization: 'advanced',
    execArgv: [`--max-old-space-size=${limits.memoryMb}`, `--max-semi-space-size=${Math.max(1, Math.floor(young / 3))}`],
    env: { ...slotWorkerEnv(process.env), [SLOT_WORKER_DATA_ENV]: JSON.stringify(data) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let ticks = 0;
  let tail = '';
  child.stdout?.on('data', (chunk: Buffer) => events.output?.('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    events.output?.('stderr', chunk);
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: FromSlotWorker) => {
    if (message.type === 'tick') ticks++;
    else events.message(message);
  });
  child.on('error', (error) => events.error(error));
  child.on('exit', (code, signal) => events.exit(code, signal, { outOfMemory: /heap out of memory|Reached heap limit/.test(tail), stderrTail: tail.trim().split('\n').slice(-12).join('\n') }));
  return {
    isolation: 'process',
    pid: child.pid ?? -1,
    transfersPorts: false,
    post: (message: ToSlotWorker) => {
      if (child.connected) child.send(message, (error) => error && child.connected && events.error(error));
    },
    ticks: () => ticks,
    residentBytes: () => residentBytes(child.pid),
    captureStack: () => Promise.resolve(undefined),
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
};

/** Resident set size of a process (Linux: /proc); undefined where it cannot be read. */
function residentBytes(pid: number | undefined): number | undefined {
  if (!pid || process.platform !== 'linux') return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
