/**
 * A slot's choice of transport, per channel, for the shared subtask wiring (dataflow's
 * wireSubtask): a channel whose other end runs in the same worker thread is connected directly
 * (no copy), one whose other end runs in another slot of this TaskManager goes through a
 * MessagePort, and the rest through JetStream (one reader per input edge for all its remote
 * sources, one writer per output edge, which sends its local partitions through their ports).
 * Which subtask runs where comes from the deployment (LocalChannelRegistry.portsFor).
 */
import type { JobId } from '@runnel/protocol/slot-runtime';
import type { ClusterDataNames } from '@runnel/protocol/slot-runtime';
import { InProcessInputGate, type ChannelFactory, type InputEdgeWiring, type OutputEdgeWiring, type SubtaskWiring } from '@runnel/dataflow';
import type { ExchangeIo } from './exchange-io.port';
import { JetStreamEdgeReader } from './jetstream-edge.reader';
import { JetStreamPartitionWriter } from './jetstream-partition.writer';
import { LocalChannelReader } from './local-channel.reader';
import { ChannelPairs } from './channel-pairs';
import type { LocalChannelPort, SameWorkerChannels } from './same-worker.channel';
import type { LocalPorts } from '../runtime/local-channels';

export interface SlotChannelFactoryOptions {
  readonly io: ExchangeIo;
  readonly jobId: JobId;
  readonly attempt: number;
  /** The job's data stream, shared by its attempts (this attempt's JetStream channels' consumers live there). */
  readonly dataStream: string;
  /** The deployment's channels whose other end is on this TaskManager. */
  readonly ports: LocalPorts;
  readonly sameWorker: SameWorkerChannels;
  readonly names: ClusterDataNames;
  readonly gateCapacity: number;
}

export class SlotChannelFactory implements ChannelFactory<InProcessInputGate> {
  readonly readers: JetStreamEdgeReader[] = [];
  readonly localReaders: LocalChannelReader[] = [];
  readonly writers: JetStreamPartitionWriter[] = [];

  constructor(private readonly options: SlotChannelFactoryOptions) {}

  gate(wiring: SubtaskWiring): InProcessInputGate {
    return new InProcessInputGate(wiring.gateInputs, this.options.gateCapacity);
  }

  input(wiring: InputEdgeWiring, gate: InProcessInputGate, subtask: SubtaskWiring): void {
    const { io, jobId, attempt, dataStream, ports, sameWorker, names } = this.options;
    const s = subtask.subtask;
    const local = ports.in.filter((p) => p.edgeIndex === wiring.edgeIndex);
    for (const p of local) {
      const source = wiring.sources.find((x) => x.sourceSubtask === p.source);
      if (!source) throw new Error(`edge ${wiring.edge.id}: subtask ${s} has no channel from source subtask ${p.source}`);
      const port = p.port ?? sameWorker.take(ChannelPairs.key(jobId, attempt, wiring.edgeIndex, p.source, s), 'consumer');
      this.localReaders.push(new LocalChannelReader(port, gate, source.channel));
    }
    // Only sources on other TaskManagers come through JetStream.
    if (local.length < wiring.sources.length) {
      this.readers.push(new JetStreamEdgeReader({
        io, stream: dataStream, jobId, attempt, edgeIndex: wiring.edgeIndex, partition: s, names, gate, channelBase: wiring.channelBase, forward: wiring.forward,
      }));
    }
  }

  output(wiring: OutputEdgeWiring, subtask: SubtaskWiring): JetStreamPartitionWriter {
    const { io, jobId, attempt, ports, sameWorker, names } = this.options;
    const s = subtask.subtask;
    const localPorts = new Map<number, LocalChannelPort>(
      ports.out
        .filter((p) => p.edgeIndex === wiring.edgeIndex)
        .map((p) => [p.partition, p.port ?? sameWorker.take(ChannelPairs.key(jobId, attempt, wiring.edgeIndex, s, p.partition), 'producer')]),
    );
    const writer = new JetStreamPartitionWriter({
      io, jobId, attempt, edgeIndex: wiring.edgeIndex, sourceSubtask: s, partitions: wiring.targets.map((t) => t.targetSubtask), localPorts, names,
    });
    this.writers.push(writer);
    return writer;
  }
}
