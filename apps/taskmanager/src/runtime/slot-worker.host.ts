/**
 * The TaskManager's side of a slot's worker (a thread, or a child process with
 * TM_SLOT_ISOLATION=process): starts it, sends it deployments and cancellations, relays its task
 * states, and ends it when the job releases the slot. It also contains what user code does to the
 * worker: a worker that dies (heap exhausted, process.exit, an uncaught error), stops returning to
 * its event loop (TASK_STALL_TIMEOUT_MS), does not finish a deployment (DEPLOY_TIMEOUT_MS) or a
 * cancellation (CANCEL_TIMEOUT_MS) fails every task of the slot with a message that says so, and
 * is ended; the TaskManager gives the slot a new worker at its next deployment (`failed`).
 * The worker gets no NATS connection settings or credentials: it asks for its NATS I/O in
 * messages, which the host checks against the slot's deployments and runs on `options.io`.
 */
import { AllocationId, CheckpointId, ClusterNamespace, ExecutionAttemptId, ExecutionStates, JobId, TaskFailure } from '@runnel/protocol';
import type { TransferListItem } from 'node:worker_threads';
import { join } from 'node:path';
import { FromSlotWorker, SlotWorkerData, ToSlotWorker } from './slot-worker.messages';
import type { LocalPorts } from './local-channels';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';
import type { ExchangeIo } from '../exchange/exchange-io.port';
import { SlotIoScope } from './slot-io.scope';
import { SlotIoServer } from './slot-io.server';
import { DEFAULT_SLOT_LIMITS, SlotLimits, SlotTransport, SlotTransportFactory, watchdogIntervals } from './slot-transport.types';
import { threadTransport } from './slot-thread.transport';
import type { Profiler } from 'node:inspector';
import { LinePrefixer, TaskOutputSink } from './task-output.sink';
import { processTransport } from './slot-process.transport';
import {
  SlotContext, cancelTimeoutFailure, deployTimeoutFailure, exitFailure, heapFailure, lostFailure, residentMemoryFailure, stallFailure, uncaughtFailure,
} from './slot-worker.failures';

const STACK_CAPTURE_TIMEOUT_MS = 2000;
/** A stalled worker whose heap is this full (of its V8 heap limit) is out of memory… */
const FULL_HEAP_SHARE = 0.85;
/** How long a stalled worker that could not be paused gets to end by itself with out of memory. */
const OUT_OF_MEMORY_GRACE_MS = 3000;
/** …and so is one that could not be paused, if its last report (up to a second old) was this full. */
const REPORTED_FULL_HEAP_SHARE = 0.7;
const MEMORY_POLL_MS = 200;

export interface SlotWorkerOptions {
  readonly clusterId?: string;
  /** BUFFER_TIMEOUT_MS, for jobs that set no buffer timeout. */
  readonly bufferTimeoutMs?: number;
  /**
   * The TaskManager's NATS I/O (its own connection), which the worker's requests run on once
   * checked; without it every request is refused.
   */
  readonly io?: ExchangeIo;
  readonly limits?: SlotLimits;
  /** The worker's entry (tests use their own). */
  readonly entry?: string;
  /** How the worker runs (default: per `limits.isolation`). */
  readonly transport?: SlotTransportFactory;
  readonly log?: (message: string) => void;
  /** Where user code's console output goes (the TaskManager's .out file); default the TaskManager's stdout/stderr. */
  readonly output?: Pick<TaskOutputSink, 'write'>;
}

/** How long a profile may take beyond its duration before the request gives up. */
const PROFILE_GRACE_MS = 5000;

interface SlotTask {
  readonly jobId: JobId;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  taskName?: string;
}

export class SlotWorker {
  private readonly transport: SlotTransport;
  private readonly limits: SlotLimits;
  private readonly pending = new Map<number, () => void>();
  private readonly running = new Map<ExecutionAttemptId, SlotTask>();
  private readonly deploying = new Map<ExecutionAttemptId, NodeJS.Timeout>();
  private readonly watchdog?: NodeJS.Timeout;
  private nextRequest = 1;
  private exited = false;
  /** The worker is being ended on purpose (released slot): its exit is no failure. */
  private stopping = false;
  /** Why the worker is gone or being ended; set once. */
  private failure?: TaskFailure;
  /** The heap use the worker last reported (with its tasks' metrics), for telling a stall from a full heap. */
  private lastHeap?: { used: number; limit: number };
  /** V8 ended the worker for its heap limit (a thread's ERR_WORKER_OUT_OF_MEMORY, a process's report). */
  private ranOutOfMemory = false;
  private onGone?: () => void;
  private exitCall?: { readonly code: number; readonly stack?: string };
  private lastTicks = 0;
  private lastProgressAt = Date.now();
  private lastCheckAt = Date.now();
  private readonly log: (message: string) => void;
  private readonly profiles = new Map<number, { resolve(profile: Profiler.Profile): void; reject(error: Error): void }>();
  private readonly outputs: Record<'stdout' | 'stderr', LinePrefixer>;
  private readonly scope: SlotIoScope;
  private readonly ioServer?: SlotIoServer;

  constructor(
    readonly slotIndex: number,
    readonly allocationId: AllocationId,
    readonly jobId: JobId,
    private readonly onState: (event: TaskStateEvent) => void,
    private readonly onCheckpoint: (event: CheckpointEvent) => void,
    options: SlotWorkerOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_SLOT_LIMITS;
    this.log = options.log ?? (() => undefined);
    const sink = options.output ?? new TaskOutputSink(undefined);
    const prefix = () => `job ${jobId.slice(0, 8)} slot ${slotIndex}: ${this.context().tasks.join(', ') || 'no task'}`;
    this.outputs = { stdout: new LinePrefixer('stdout', prefix, sink), stderr: new LinePrefixer('stderr', prefix, sink) };
    const workerData: SlotWorkerData = {
      slotIndex,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      ...(options.bufferTimeoutMs !== undefined ? { bufferTimeoutMs: options.bufferTimeoutMs } : {}),
    };
    this.scope = new SlotIoScope(slotIndex, jobId, ClusterNamespace.of(options.clusterId).data);
    if (options.io) {
      this.ioServer = new SlotIoServer(options.io, this.scope, {
        reply: (reply, transfer) => this.post({ type: 'io-reply', reply }, transfer),
        // A copy: `bytes` is a view of the connection's larger read buffer, which a clone would copy whole.
        message: (sid, bytes) => this.post({ type: 'io-message', sid, bytes: bytes.slice() }),
      }, this.log);
    }
    const factory = options.transport ?? (this.limits.isolation === 'process' ? processTransport : threadTransport);
    this.transport = factory(
      { entry: options.entry ?? join(__dirname, 'slot-worker.main.js'), slotIndex, workerData, limits: this.limits },
      {
        message: (message) => this.onMessage(message),
        error: (error) => this.onError(error),
        exit: (code, signal, detail) => this.onExit(code, signal, detail?.outOfMemory ?? false, detail?.stderrTail),
        output: (stream, chunk) => this.outputs[stream].push(chunk),
      },
    );
    const { checkMs } = watchdogIntervals(this.limits.stallTimeoutMs);
    if (this.limits.stallTimeoutMs > 0 || this.limits.isolation === 'process') {
      // A process's resident memory is read from /proc: cheap enough to look often, so Buffers overshoot little.
      this.watchdog = setInterval(() => this.check(), this.limits.isolation === 'process' ? Math.min(checkMs, MEMORY_POLL_MS) : checkMs);
      this.watchdog.unref();
    }
  }

  /** The worker is gone (or being ended) after a failure: the slot needs a new one. */
  get failed(): boolean {
    return this.failure !== undefined || this.exited;
  }

  /** The worker's process id (a thread: the TaskManager's). */
  get pid(): number {
    return this.transport.pid;
  }

  deploy(deployment: Deployment, artifactPath: string, ports: LocalPorts): void {
    const { executionAttemptId, jobId, vertexId, subtaskIndex } = deployment;
    if (this.failure || this.exited) {
      const why = this.failure ?? { message: `the worker of slot ${this.slotIndex} has ended` };
      this.onState({ jobId, executionAttemptId, state: ExecutionStates.Failed, failure: { ...why, message: `the slot's worker had already failed: ${why.message}` } });
      return;
    }
    this.running.set(executionAttemptId, { jobId, vertexId, subtaskIndex });
    this.scope.allow(deployment);
    if (this.limits.deployTimeoutMs > 0) {
      const timer = setTimeout(() => this.die(deployTimeoutFailure(this.context(), `${vertexId} (subtask ${subtaskIndex + 1})`)), this.limits.deployTimeoutMs);
      timer.unref();
      this.deploying.set(executionAttemptId, timer);
    }
    if (this.transport.transfersPorts) {
      const transfer = [...ports.in, ...ports.out].flatMap((p) => (p.port ? [p.port] : []));
      this.transport.post({ type: 'deploy', deployment, artifactPath, ports } satisfies ToSlotWorker, transfer);
    } else {
      // A process cannot take MessagePorts: its channels to other slots go through JetStream (every
      // slot of this TaskManager is a process); those within its own slot need none.
      for (const p of [...ports.in, ...ports.out]) p.port?.close();
      const own = { in: ports.in.filter((p) => !p.port), out: ports.out.filter((p) => !p.port) };
      this.transport.post({ type: 'deploy', deployment, artifactPath, ports: own } satisfies ToSlotWorker);
    }
  }

  triggerCheckpoint(executionAttemptId: ExecutionAttemptId, checkpointId: CheckpointId): void {
    this.post({ type: 'trigger-checkpoint', jobId: this.jobId, executionAttemptId, checkpointId });
  }

  notifyCheckpointComplete(jobId: JobId, checkpointId: CheckpointId): void {
    this.post({ type: 'checkpoint-complete', jobId, checkpointId });
  }

  drain(jobId: JobId): void {
    this.post({ type: 'drain', jobId });
  }

  hasTask(executionAttemptId: ExecutionAttemptId): boolean {
    return this.running.has(executionAttemptId);
  }

  /** Whether the worker runs a subtask of this vertex (this subtask, when given). */
  runsVertex(vertexId: string, subtaskIndex?: number): boolean {
    return [...this.running.values()].some((t) => t.vertexId === vertexId && (subtaskIndex === undefined || t.subtaskIndex === subtaskIndex));
  }

  /** Names of the subtasks it runs. */
  taskNames(): string[] {
    return this.context().tasks.slice();
  }

  /** A CPU profile of the worker for `durationMs` (V8's sampling profiler, taken inside the worker). */
  profile(durationMs: number, samplingIntervalUs: number): Promise<Profiler.Profile> {
    if (this.exited || this.failure) return Promise.reject(new Error(`the worker of slot ${this.slotIndex} has ended`));
    const requestId = this.nextRequest++;
    return new Promise<Profiler.Profile>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.profiles.delete(requestId);
        reject(new Error(`the worker of slot ${this.slotIndex} did not return its profile within ${durationMs + PROFILE_GRACE_MS} ms (is it stalled?)`));
      }, durationMs + PROFILE_GRACE_MS);
      timer.unref();
      const settle = <T>(f: (value: T) => void) => (value: T) => (clearTimeout(timer), this.profiles.delete(requestId), f(value));
      this.profiles.set(requestId, { resolve: settle(resolve), reject: settle(reject) });
      this.post({ type: 'profile', requestId, durationMs, samplingIntervalUs });
    });
  }

  /** Cancels a task (or all); a worker that does not stop them within CANCEL_TIMEOUT_MS is terminated. */
  async cancel(executionAttemptId?: ExecutionAttemptId): Promise<void> {
    const done = await this.withDeadline(this.request((requestId) => ({ type: 'cancel', requestId, executionAttemptId })));
    if (!done) this.die(cancelTimeoutFailure(this.context()));
  }

  /** Cancels what runs, then ends the worker (forcibly after CANCEL_TIMEOUT_MS). */
  async close(): Promise<void> {
    if (!this.exited && !this.failure) {
      const done = await this.withDeadline(this.request((requestId) => ({ type: 'close', requestId })));
      if (!done && !this.failure) {
        const failure = cancelTimeoutFailure(this.context());
        this.log(failure.message);
        this.failAll(failure);
      }
    }
    this.stopping = true;
    this.running.clear();
    this.stopTimers();
    this.ioServer?.close();
    await this.transport.terminate();
  }

  private withDeadline(request: Promise<void>): Promise<boolean> {
    if (this.limits.cancelTimeoutMs <= 0) return request.then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.limits.cancelTimeoutMs);
      timer.unref();
    });
    return Promise.race([request.then(() => true), deadline]).finally(() => clearTimeout(timer));
  }

  private request(make: (requestId: number) => ToSlotWorker): Promise<void> {
    if (this.exited || this.failure) return Promise.resolve();
    const requestId = this.nextRequest++;
    return new Promise<void>((resolve) => {
      this.pending.set(requestId, resolve);
      this.post(make(requestId));
    });
  }

  private post(message: ToSlotWorker, transfer?: readonly TransferListItem[]): void {
    if (this.exited || this.failure) return;
    this.transport.post(message, transfer);
  }

  private onMessage(message: FromSlotWorker): void {
    switch (message.type) {
      case 'done':
        this.pending.get(message.requestId)?.();
        this.pending.delete(message.requestId);
        return;
      case 'checkpoint':
        this.onCheckpoint(message.event);
        return;
      case 'task': {
        const task = this.running.get(message.executionAttemptId);
        if (task) task.taskName = message.taskName;
        return;
      }
      case 'exit-called':
        this.exitCall = { code: message.code, ...(message.stack ? { stack: message.stack } : {}) };
        return;
      case 'tick':
        return;
      case 'profile': {
        const waiting = this.profiles.get(message.requestId);
        if (message.profile) waiting?.resolve(message.profile);
        else waiting?.reject(new Error(message.error ?? 'no profile'));
        return;
      }
      case 'io':
        if (this.ioServer) this.ioServer.handle(message.request);
        else if ('id' in message.request) this.post({ type: 'io-reply', reply: { id: message.request.id, error: { name: 'SlotIoRefusedError', message: 'this TaskManager does no NATS I/O for its slots' } } });
        return;
      case 'uncaught':
        this.onError(Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack }));
        return;
      case 'state': {
        if (this.failure) return; // the TaskManager already failed this slot's tasks
        const { event } = message;
        if (event.metrics?.heapUsed !== undefined) this.lastHeap = { used: event.metrics.heapUsed, limit: event.metrics.heapLimit ?? this.limits.memoryMb * 1048576 };
        if (event.state !== 'INITIALIZING' && event.state !== 'DEPLOYING') this.deployed(event.executionAttemptId);
        if (event.state === 'FINISHED' || event.state === 'FAILED' || event.state === 'CANCELED') this.running.delete(event.executionAttemptId);
        this.onState(event);
        return;
      }
    }
  }

  private deployed(executionAttemptId: ExecutionAttemptId): void {
    const timer = this.deploying.get(executionAttemptId);
    if (timer) clearTimeout(timer);
    this.deploying.delete(executionAttemptId);
  }

  private onError(error: Error & { code?: string }): void {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.ranOutOfMemory = true;
    if (this.stopping) return;
    const context = this.context();
    this.die(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? heapFailure(context) : uncaughtFailure(context, error));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, outOfMemory: boolean, stderrTail?: string): void {
    this.exited = true;
    if (outOfMemory) this.ranOutOfMemory = true;
    this.onGone?.();
    if (!this.stopping && !this.failure) {
      const context = this.context();
      if (outOfMemory) this.die(heapFailure(context));
      else if (this.exitCall) this.die(exitFailure(context, this.exitCall.code, this.exitCall.stack));
      else if (this.transport.isolation === 'thread' && code !== null && code !== 1) this.die(exitFailure(context, code, undefined));
      else this.die(lostFailure(context, code, signal, stderrTail));
    }
    this.stopTimers();
    this.releasePending();
    this.ioServer?.close();
  }

  /** The watchdog: the worker's loop must turn within TASK_STALL_TIMEOUT_MS; a process must stay within its memory. */
  private check(): void {
    if (this.failure || this.exited || this.stopping) return;
    const now = Date.now();
    const { checkMs } = watchdogIntervals(this.limits.stallTimeoutMs);
    // Ticks of a process arrive as messages: when this thread itself was held up, they may not be read yet.
    const lagged = this.transport.isolation === 'process' && now - this.lastCheckAt > Math.max(4 * checkMs, 1000);
    this.lastCheckAt = now;
    const ticks = this.transport.ticks();
    if (ticks !== this.lastTicks || lagged) {
      this.lastTicks = ticks;
      this.lastProgressAt = now;
    }
    const rss = this.transport.residentBytes();
    if (rss !== undefined && rss > this.limits.memoryMb * 1048576) {
      this.die(residentMemoryFailure(this.context(), rss));
      return;
    }
    if (this.limits.stallTimeoutMs <= 0 || ticks === 0) return; // not started yet: DEPLOY_TIMEOUT_MS covers that
    const stalledFor = now - this.lastProgressAt;
    if (stalledFor >= this.limits.stallTimeoutMs) void this.onStall(stalledFor);
  }

  private async onStall(stalledFor: number): Promise<void> {
    const context = this.context();
    this.stopTimers();
    this.failure = { message: `slot ${this.slotIndex} stalled` }; // claims the slot's end; replaced below
    const capture = await this.transport.captureStack(STACK_CAPTURE_TIMEOUT_MS).catch(() => undefined);
    // A worker that could not even be paused may be collecting garbage on a full heap, about to
    // fail with out of memory by itself: give it a moment to, so that it says so.
    if (!capture && !this.exited) await new Promise<void>((resolve) => {
      this.onGone = resolve;
      setTimeout(resolve, OUT_OF_MEMORY_GRACE_MS).unref();
    });
    this.onGone = undefined;
    this.failure = undefined;
    if (this.ranOutOfMemory) {
      this.die(heapFailure(context));
      return;
    }
    // Garbage collection of a nearly full heap also keeps a worker from its loop (seen on a loaded
    // machine before V8 gives up): that is the memory limit's failure, not user code spinning. A
    // worker collecting garbage may not even be paused for its stack: then its last report counts.
    const limit = this.lastHeap?.limit ?? this.limits.memoryMb * 1048576;
    const used = capture?.heapUsedBytes ?? this.lastHeap?.used;
    const full = capture?.heapUsedBytes !== undefined ? used! >= FULL_HEAP_SHARE * limit : used !== undefined && used >= REPORTED_FULL_HEAP_SHARE * limit;
    if (full) this.die(heapFailure(context, used));
    else this.die(stallFailure(context, stalledFor, capture?.frames, capture?.heapUsedBytes));
  }

  /** Fails every task of the slot with `failure` and ends the worker. */
  private die(failure: TaskFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.log(failure.message);
    this.stopTimers();
    this.failAll(failure);
    this.releasePending();
    this.ioServer?.close();
    void this.transport.terminate();
  }

  private failAll(failure: TaskFailure): void {
    for (const [executionAttemptId, task] of this.running) {
      this.onState({ jobId: task.jobId, executionAttemptId, state: ExecutionStates.Failed, failure });
    }
    this.running.clear();
  }

  private context(): SlotContext {
    return {
      slotIndex: this.slotIndex,
      isolation: this.transport.isolation,
      limits: this.limits,
      tasks: [...this.running.values()].map((t) => t.taskName ?? `${t.vertexId} (subtask ${t.subtaskIndex + 1})`),
      building: this.deploying.size > 0 && [...this.running.values()].every((t) => t.taskName === undefined),
    };
  }

  private stopTimers(): void {
    clearInterval(this.watchdog);
    for (const timer of this.deploying.values()) clearTimeout(timer);
    this.deploying.clear();
  }

  private releasePending(): void {
    for (const done of this.pending.values()) done();
    this.pending.clear();
    for (const waiting of this.profiles.values()) waiting.reject(new Error(`the worker of slot ${this.slotIndex} ended during the profile`));
    this.profiles.clear();
    this.outputs.stdout.flush();
    this.outputs.stderr.flush();
  }
}
