/**
 * How the subtasks of a JobGraph are wired: which channels a subtask's input gate has, and which
 * target subtask each channel of a producer's partition goes to. One definition, used by the
 * embedded executor and by any other transport (worker threads, JetStream), so both sides of an
 * edge always agree on channel numbers.
 */
import { PartitionerType, type JobEdge, type JobGraph } from './job-graph.types';

export interface InputChannelDescriptor {
  /** Channel index in the consumer subtask's gate. */
  readonly channel: number;
  readonly edgeId: string;
  readonly sourceVertex: string;
  readonly sourceSubtask: number;
  /** Logical input of the consumer's head operator. */
  readonly input: number;
}

function parallelismOf(graph: JobGraph, vertexId: string): number {
  const v = graph.vertices.find((x) => x.id === vertexId);
  if (!v) throw new Error(`unknown vertex ${vertexId}`);
  return v.parallelism;
}

/** Channels of the input gate of `subtask` of `vertexId`: in-edges in graph order, then source subtask. */
export function inputChannels(graph: JobGraph, vertexId: string, subtask: number): InputChannelDescriptor[] {
  const out: InputChannelDescriptor[] = [];
  for (const e of graph.edges) {
    if (e.target !== vertexId) continue;
    const sources = e.partitioner === PartitionerType.Forward ? [subtask] : Array.from({ length: parallelismOf(graph, e.source) }, (_, i) => i);
    for (const s of sources) out.push({ channel: out.length, edgeId: e.id, sourceVertex: e.source, sourceSubtask: s, input: e.targetInput });
  }
  return out;
}

/**
 * For the partition that `sourceSubtask` writes on `edge`: channel i goes to target subtask
 * targets[i], where it arrives as gate channel gateChannels[i].
 */
export function outputChannels(graph: JobGraph, edge: JobEdge, sourceSubtask: number): { targetSubtask: number; gateChannel: number }[] {
  const targetSubtasks = edge.partitioner === PartitionerType.Forward ? [sourceSubtask] : Array.from({ length: parallelismOf(graph, edge.target) }, (_, i) => i);
  return targetSubtasks.map((t) => {
    const ch = inputChannels(graph, edge.target, t).find((c) => c.edgeId === edge.id && c.sourceSubtask === sourceSubtask);
    if (!ch) throw new Error(`edge ${edge.id}: subtask ${t} of ${edge.target} has no channel from subtask ${sourceSubtask}`);
    return { targetSubtask: t, gateChannel: ch.channel };
  });
}

/**
 * True when `subtask` of `vertexId` receives its records in the same order on every run (given
 * deterministic sources): every task on the way from the sources has a single input channel and
 * no edge is shuffled. With several channels the interleaving depends on timing. Sinks that derive
 * ids from a record's position (JetStream dedup ids) rely on it.
 */
export function hasDeterministicInputOrder(graph: JobGraph, vertexId: string, subtask: number): boolean {
  const v = graph.vertices.find((x) => x.id === vertexId);
  if (!v) throw new Error(`unknown vertex ${vertexId}`);
  if (v.isSource) return true;
  const channels = inputChannels(graph, vertexId, subtask);
  if (channels.length !== 1) return false;
  const edge = graph.edges.find((e) => e.id === channels[0].edgeId)!;
  return edge.partitioner !== PartitionerType.Shuffle && hasDeterministicInputOrder(graph, channels[0].sourceVertex, channels[0].sourceSubtask);
}
