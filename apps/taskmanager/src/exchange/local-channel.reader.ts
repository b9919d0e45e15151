/**
 * Consumer end of an in-process channel (a MessagePort from a subtask on this TaskManager, or a
 * direct channel from one in the same worker): puts
 * each element into the task's input gate and gives the producer a credit once the gate has room.
 */
import type { InProcessInputGate, StreamElement } from '@runnel/dataflow';
import type { LocalChannelPort } from './same-worker.channel';

export class LocalChannelReader {
  private consumed = 0;
  recordsIn = 0;

  constructor(
    private readonly port: LocalChannelPort,
    private readonly gate: InProcessInputGate,
    private readonly channel: number,
  ) {}

  start(): void {
    this.port.on('message', (element: StreamElement) => {
      if (element.type === 'records') this.recordsIn += element.values.length;
      this.gate.push(this.channel, element);
      this.consumed++;
      const full = this.gate.waitForCapacity(this.channel);
      if (!full) this.port.postMessage(this.consumed);
      else void full.then(() => this.port.postMessage(this.consumed));
    });
  }

  stop(): void {
    this.port.close();
  }
}
