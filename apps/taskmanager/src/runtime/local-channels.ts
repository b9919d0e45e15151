/**
 * In-process channels between subtasks on this TaskManager: records between two slots of the same
 * TaskManager go through a MessagePort pair between their worker threads, never through NATS.
 * Whichever end is deployed first creates the pair; the other end takes the second port. Both
 * ends in the same slot (one worker) need no port: the worker connects them itself, without a
 * copy (same-worker.channel.ts); such channels come without `port`.
 */
import { MessageChannel, MessagePort } from 'node:worker_threads';
import type { Deployment } from './task-runner';
import { ChannelPairs } from '../exchange/channel-pairs';
import type { JobId, ResourceId } from '@runnel/protocol';

export interface LocalOut {
  readonly edgeIndex: number;
  readonly partition: number;
  /** Absent: the consumer runs in the same slot's worker. */
  readonly port?: MessagePort;
}

export interface LocalIn {
  readonly edgeIndex: number;
  readonly source: number;
  /** Absent: the producer runs in the same slot's worker. */
  readonly port?: MessagePort;
}

export interface LocalPorts {
  readonly out: LocalOut[];
  readonly in: LocalIn[];
}

export class LocalChannelRegistry {
  private readonly pairs = new ChannelPairs<MessagePort>(() => {
    const channel = new MessageChannel();
    return [channel.port1, channel.port2];
  });

  constructor(private readonly resourceId: ResourceId) {}

  /** The ports of a deployment's channels whose other end runs on this TaskManager too. */
  portsFor(d: Deployment): LocalPorts {
    const here = (vertex: string, subtask: number) => d.locations[vertex]?.[subtask] === this.resourceId;
    // Older JobManagers send no slots: every local channel gets a port, as before.
    const sameSlot = (vertex: string, subtask: number) => d.slots?.[vertex]?.[subtask] === d.allocationId;
    const s = d.subtaskIndex;
    const out: LocalOut[] = [];
    const inn: LocalIn[] = [];
    for (const edge of d.edges) {
      if (edge.source === d.vertexId) {
        const partitions = edge.forward ? [s] : range(d.locations[edge.target]?.length ?? 0);
        for (const p of partitions) {
          if (sameSlot(edge.target, p)) out.push({ edgeIndex: edge.index, partition: p });
          else if (here(edge.target, p)) out.push({ edgeIndex: edge.index, partition: p, port: this.take(d, edge.index, s, p, 'producer') });
        }
      }
      if (edge.target === d.vertexId) {
        const sources = edge.forward ? [s] : range(d.locations[edge.source]?.length ?? 0);
        for (const src of sources) {
          if (sameSlot(edge.source, src)) inn.push({ edgeIndex: edge.index, source: src });
          else if (here(edge.source, src)) inn.push({ edgeIndex: edge.index, source: src, port: this.take(d, edge.index, src, s, 'consumer') });
        }
      }
    }
    return { out, in: inn };
  }

  /** Drops the halves nobody took (the job ended before both ends were deployed). */
  releaseJob(jobId: JobId): void {
    this.pairs.releaseJob(jobId);
  }

  private take(d: Deployment, edge: number, source: number, partition: number, side: 'producer' | 'consumer'): MessagePort {
    return this.pairs.take(ChannelPairs.key(d.jobId, d.attempt, edge, source, partition), side);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
