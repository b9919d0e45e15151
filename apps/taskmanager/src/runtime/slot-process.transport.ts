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
import type { Duplex } from 'node:stream';
import type { FromSlotWorker, ToSlotWorker } from './slot-worker.messages';
import { SLOT_WORKER_DATA_ENV, STACK_FD } from './slot-worker.messages';
import { slotWorkerEnv } from './slot-worker.env';
import { SlotTransport, SlotTransportFactory, StallCapture, watchdogIntervals, youngGenerationMb } from './slot-transport.types';

const STDERR_TAIL = 8192;

export const processTransport: SlotTransportFactory = ({ entry, slotIndex, workerData, limits }, events): SlotTransport => {
  const young = youngGenerationMb(limits.memoryMb);
  const data = { ...workerData, tickIntervalMs: watchdogIntervals(limits.stallTimeoutMs).tickMs, stackPipe: true };
  const child: ChildProcess = fork(entry, [`--slot=${slotIndex}`], {
    serialization: 'advanced',
    execArgv: [`--max-old-space-size=${limits.memoryMb}`, `--max-semi-space-size=${Math.max(1, Math.floor(young / 3))}`],
    env: { ...slotWorkerEnv(process.env), [SLOT_WORKER_DATA_ENV]: JSON.stringify(data) },
    // fd 4: the stack pipe, answered by a helper thread of the child (slot-process-stack.thread.ts).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
  });
  const stacks = stackPipe(child.stdio[STACK_FD] as Duplex | null);
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
    captureStack: (timeoutMs) => stacks.capture(timeoutMs),
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
};

/** Requests on the child's stack pipe: one line out, one JSON line (frames and heap use, or null) back. */
function stackPipe(pipe: Duplex | null): { capture(timeoutMs: number): Promise<StallCapture | undefined> } {
  let buffered = '';
  const waiting: Array<(capture: StallCapture | undefined) => void> = [];
  let late = 0; // replies still due to requests that timed out: not the next request's answer
  pipe?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let capture: StallCapture | undefined;
      try {
        capture = (JSON.parse(line) as StallCapture | null) ?? undefined;
      } catch {
        capture = undefined;
      }
      if (late > 0) late--;
      else waiting.shift()?.(capture);
    }
  });
  pipe?.on('error', () => undefined); // the child is gone: captures time out
  return {
    capture(timeoutMs) {
      if (!pipe || pipe.destroyed) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(done);
          if (i >= 0) {
            waiting.splice(i, 1);
            late++;
          }
          resolve(undefined);
        }, timeoutMs);
        const done = (capture: StallCapture | undefined) => {
          clearTimeout(timer);
          resolve(capture);
        };
        waiting.push(done);
        pipe.write('S\n');
      });
    },
  };
}

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
