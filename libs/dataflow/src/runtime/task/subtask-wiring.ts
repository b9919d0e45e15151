/**
 * One subtask wiring for every transport: which input edges feed a subtask's gate and on which
 * channel numbers, which output edges leave it and to which target subtask (and gate channel) each
 * of their channels goes. The embedded executor and a TaskManager slot build a subtask the same
 * way (wireSubtask); only the ChannelFactory differs: in-memory queues between tasks of one
 * process, and in a slot the TaskManager's choice per channel (same worker thread, MessagePort,
 * JetStream). Before, each wired edges itself, numbering them by edge id in one place and by edge
 * index in another; the wiring carries both.
 */
import { inputChannels, outputChannels } from '../../graph/channel-layout';
import { PartitionerType, type JobEdge, type JobGraph, type JobVertex } from '../../graph/job-graph.types';
import type { InputGate, ResultPartitionWriter } from './channel.types';

/** The channels one input edge brings into the subtask's gate. */
export interface InputEdgeWiring {
  readonly edge: JobEdge;
  /** The edge's position in the JobGraph (data subjects and channel pairs are named by it). */
  readonly edgeIndex: number;
  readonly forward: boolean;
  /** The gate channel of the edge's first source subtask; the others follow in subtask order. */
  readonly channelBase: number;
  /** Every source subtask of the edge and the gate channel its records arrive on. */
  readonly sources: readonly { readonly sourceSubtask: number; readonly channel: number }[];
}

/** The channels of one output edge: channel i goes to targets[i]. */
export interface OutputEdgeWiring {
  readonly edge: JobEdge;
  readonly edgeIndex: number;
  readonly forward: boolean;
  readonly targets: readonly { readonly targetSubtask: number; readonly gateChannel: number }[];
}

export interface SubtaskWiring {
  readonly vertex: JobVertex;
  readonly subtask: number;
  /** The logical input (0/1) of each gate channel; empty for a source task. */
  readonly gateInputs: readonly number[];
  readonly inputs: readonly InputEdgeWiring[];
  readonly outputs: readonly OutputEdgeWiring[];
}

/** Where a subtask's channels go: the one part of the wiring that depends on the transport. */
export interface ChannelFactory<G extends InputGate = InputGate> {
  /** The subtask's input gate (only asked for when it has inputs). */
  gate(wiring: SubtaskWiring): G;
  /** Connects one input edge's channels to the gate (nothing to do when producers write into the gate). */
  input(wiring: InputEdgeWiring, gate: G, subtask: SubtaskWiring): void;
  /** The writer of one output edge's channels. */
  output(wiring: OutputEdgeWiring, subtask: SubtaskWiring): ResultPartitionWriter;
}

/** The wiring of `subtask` of `vertexId`, from the JobGraph alone. */
export function subtaskWiring(graph: JobGraph, vertexId: string, subtask: number): SubtaskWiring {
  const vertex = graph.vertices.find((v) => v.id === vertexId);
  if (!vertex) throw new Error(`vertex ${vertexId} is not in the job graph`);
  const channels = inputChannels(graph, vertexId, subtask);
  const inputs: InputEdgeWiring[] = [];
  const outputs: OutputEdgeWiring[] = [];
  graph.edges.forEach((edge, edgeIndex) => {
    const forward = edge.partitioner === PartitionerType.Forward;
    if (edge.target === vertexId) {
      const sources = channels.filter((c) => c.edgeId === edge.id).map((c) => ({ sourceSubtask: c.sourceSubtask, channel: c.channel }));
      inputs.push({ edge, edgeIndex, forward, channelBase: sources[0].channel, sources });
    }
    if (edge.source === vertexId) outputs.push({ edge, edgeIndex, forward, targets: outputChannels(graph, edge, subtask) });
  });
  return { vertex, subtask, gateInputs: channels.map((c) => c.input), inputs, outputs };
}

export interface WiredSubtask<G extends InputGate> {
  readonly wiring: SubtaskWiring;
  readonly inputGate?: G;
  /** By edge id, as StreamTask takes them. */
  readonly outputs: Map<string, ResultPartitionWriter>;
}

/** Builds a subtask's gate and output writers through `factory`. */
export function wireSubtask<G extends InputGate>(graph: JobGraph, vertexId: string, subtask: number, factory: ChannelFactory<G>): WiredSubtask<G> {
  const wiring = subtaskWiring(graph, vertexId, subtask);
  let inputGate: G | undefined;
  if (wiring.inputs.length > 0) {
    inputGate = factory.gate(wiring);
    for (const input of wiring.inputs) factory.input(input, inputGate, wiring);
  }
  const outputs = new Map<string, ResultPartitionWriter>();
  for (const output of wiring.outputs) outputs.set(output.edge.id, factory.output(output, wiring));
  return { wiring, ...(inputGate ? { inputGate } : {}), outputs };
}
