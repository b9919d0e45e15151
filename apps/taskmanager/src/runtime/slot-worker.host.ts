/**
 * The TaskManager's side of a slot's worker thread: starts it, sends it deployments and
 * cancellations, relays its task states, and ends it when the job releases the slot. A worker
 * that dies (a user function that kills its thread) fails the tasks it ran.
 */
import { ExecutionStates } from '@runnel/protocol';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FromSlotWorker, SlotWorkerData, ToSlotWorker } from './slot-worker.messages';
import type { LocalPorts } from './local-channels';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';

const CLOSE_DEADLINE_MS = 10_000;

export class SlotWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, () => void>();
  private readonly running = new Map<string, string>();
  private nextRequest = 1;
  private exited = false;

  constructor(
    readonly slotIndex: number,
    readonly allocationId: string,
    readonly jobId: string,
    natsUrl: string,
    private readonly onState: (event: TaskStateEvent) => void,
    private readonly onCheckpoint: (event: CheckpointEvent) => void,
    checkpointDir?: string,
    clusterId?: string,
    entry = join(__dirname, 'slot-worker.main.js'),
  ) {
    const workerData: SlotWorkerData = { natsUrl, slotIndex, ...(checkpointDir ? { checkpointDir } : {}), ...(clusterId ? { clusterId } : {}) };
    this.worker = new Worker(entry, { workerData, name: `slot-${slotIndex}` });
    this.worker.on('message', (message: FromSlotWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error(`the worker thread of slot ${slotIndex} exited`));
      for (const done of this.pending.values()) done();
      this.pending.clear();
    });
  }

  deploy(deployment: Deployment, artifactPath: string, ports: LocalPorts): void {
    this.running.set(deployment.executionAttemptId, deployment.jobId);
    const transfer = [...ports.in.map((p) => p.port), ...ports.out.map((p) => p.port)];
    this.worker.postMessage({ type: 'deploy', deployment, artifactPath, ports } satisfies ToSlotWorker, transfer);
  }

  triggerCheckpoint(executionAttemptId: string, checkpointId: number): void {
    this.post({ type: 'trigger-checkpoint', jobId: this.jobId, executionAttemptId, checkpointId });
  }

  notifyCheckpointComplete(jobId: string, checkpointId: number): void {
    this.post({ type: 'checkpoint-complete', jobId, checkpointId });
  }

  drain(jobId: string): void {
    this.post({ type: 'drain', jobId });
  }

  hasTask(executionAttemptId: string): boolean {
    return this.running.has(executionAttemptId);
  }

  cancel(executionAttemptId?: string): Promise<void> {
    return this.request((requestId) => ({ type: 'cancel', requestId, executionAttemptId }));
  }

  /** Cancels what runs, then ends the thread (forcibly after a deadline). */
  async close(): Promise<void> {
    if (this.exited) return;
    const closed = this.request((requestId) => ({ type: 'close', requestId }));
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_DEADLINE_MS).unref());
    await Promise.race([closed, deadline]);
    this.running.clear();
    await this.worker.terminate();
  }

  private request(make: (requestId: number) => ToSlotWorker): Promise<void> {
    if (this.exited) return Promise.resolve();
    const requestId = this.nextRequest++;
    return new Promise<void>((resolve) => {
      this.pending.set(requestId, resolve);
      this.post(make(requestId));
    });
  }

  private post(message: ToSlotWorker): void {
    this.worker.postMessage(message);
  }

  private onMessage(message: FromSlotWorker): void {
    if (message.type === 'done') {
      this.pending.get(message.requestId)?.();
      this.pending.delete(message.requestId);
      return;
    }
    if (message.type === 'checkpoint') {
      this.onCheckpoint(message.event);
      return;
    }
    const { event } = message;
    if (event.state === 'FINISHED' || event.state === 'FAILED' || event.state === 'CANCELED') this.running.delete(event.executionAttemptId);
    this.onState(event);
  }

  private failAll(error: Error): void {
    for (const [executionAttemptId, jobId] of this.running) {
      this.onState({ jobId, executionAttemptId, state: ExecutionStates.Failed, failure: { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } });
    }
    this.running.clear();
  }
}
