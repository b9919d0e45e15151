/**
 * In-process channels for the embedded executor: each consumer task has one gate queue shared by
 * all its channels (so one await serves all inputs); producers see a bounded capacity per channel
 * and wait for room before producing more (backpressure).
 */
import type { StreamElement } from '../../core/stream-element.types';
import type { InputGate, InputItem, ResultPartitionWriter } from './channel.types';
import { inputChannels } from '../../graph/channel-layout';
import type { JobGraph } from '../../graph/job-graph.types';
import type { ChannelFactory, OutputEdgeWiring, SubtaskWiring } from './subtask-wiring';

export class InProcessInputGate implements InputGate {
  private queue: InputItem[] = [];
  private head = 0;
  private readonly counts: number[];
  private waiter?: (item: InputItem | undefined) => void;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly capacityWaiters: (() => void)[][];
  private aborted = false;
  private failure?: Error;

  constructor(
    private readonly inputs: readonly number[],
    readonly capacity: number,
  ) {
    this.counts = inputs.map(() => 0);
    this.capacityWaiters = inputs.map(() => []);
  }

  get numberOfChannels(): number {
    return this.inputs.length;
  }
  inputOf(channel: number): number {
    return this.inputs[channel];
  }

  push(channel: number, element: StreamElement): void {
    if (this.aborted) return;
    const item = { channel, element };
    this.counts[channel]++;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      if (this.timer) clearTimeout(this.timer);
      this.take(item);
      w(item);
    } else this.queue.push(item);
  }

  private take(item: InputItem): void {
    const c = item.channel;
    this.counts[c]--;
    if (this.counts[c] < this.capacity && this.capacityWaiters[c].length) {
      const ws = this.capacityWaiters[c];
      this.capacityWaiters[c] = [];
      for (const w of ws) w();
    }
  }

  next(timeoutMs?: number): InputItem | Promise<InputItem | undefined> {
    if (this.head < this.queue.length) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.take(item);
      return item;
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
      if (timeoutMs !== undefined)
        this.timer = setTimeout(() => {
          this.waiter = undefined;
          resolve(undefined);
        }, Math.max(0, timeoutMs));
    });
  }

  /** Promise resolved when `channel` is below capacity, or undefined when it already is. */
  waitForCapacity(channel: number): Promise<void> | undefined {
    if (this.counts[channel] < this.capacity || this.aborted) return undefined;
    return new Promise((resolve) => this.capacityWaiters[channel].push(resolve));
  }

  fail(cause: Error): void {
    this.failure ??= cause;
    // A waiting next() resolves empty; the task's next call rejects with the cause.
    this.abort();
  }

  abort(): void {
    this.aborted = true;
    if (this.timer) clearTimeout(this.timer);
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
    for (const ws of this.capacityWaiters) for (const r of ws.splice(0)) r();
  }
}

/** Producer side: channel i of this partition is (gate, channel index in that gate). */
export class InProcessPartitionWriter implements ResultPartitionWriter {
  constructor(private readonly targets: readonly { gate: InProcessInputGate; channel: number }[]) {}
  get numberOfChannels(): number {
    return this.targets.length;
  }
  emit(channel: number, element: StreamElement): void {
    const t = this.targets[channel];
    t.gate.push(t.channel, element);
  }
  awaitCapacity(): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const t of this.targets) {
      const p = t.gate.waitForCapacity(t.channel);
      if (p) (pending ??= []).push(p);
    }
    return pending ? Promise.all(pending).then(() => undefined) : undefined;
  }
  abort(): void {
    for (const t of this.targets) t.gate.abort();
  }
}

/**
 * The embedded executor's channels: every task of the job in this process, producers pushing into
 * their consumers' gates (no copy, no serialisation), one gate per consumer subtask made when
 * either end is wired first.
 */
export class InProcessChannelFactory implements ChannelFactory<InProcessInputGate> {
  private readonly gates = new Map<string, InProcessInputGate>();

  constructor(
    private readonly graph: JobGraph,
    private readonly capacity: number,
  ) {}

  gate(wiring: SubtaskWiring): InProcessInputGate {
    return this.gateOf(wiring.vertex.id, wiring.subtask, wiring.gateInputs);
  }

  /** Producers write into the gate: nothing to connect on the consumer's side. */
  input(): void {
    return undefined;
  }

  output(wiring: OutputEdgeWiring): ResultPartitionWriter {
    return new InProcessPartitionWriter(wiring.targets.map((t) => ({ gate: this.gateOf(wiring.edge.target, t.targetSubtask), channel: t.gateChannel })));
  }

  private gateOf(vertexId: string, subtask: number, inputs?: readonly number[]): InProcessInputGate {
    const key = `${vertexId}/${subtask}`;
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new InProcessInputGate(inputs ?? inputChannels(this.graph, vertexId, subtask).map((c) => c.input), this.capacity);
      this.gates.set(key, gate);
    }
    return gate;
  }
}
