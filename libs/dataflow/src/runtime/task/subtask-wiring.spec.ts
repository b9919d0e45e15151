import type { JobGraph } from '../../graph/job-graph.types';
import { InProcessChannelFactory, type InProcessInputGate } from './in-process.channel';
import { subtaskWiring, wireSubtask, type ChannelFactory } from './subtask-wiring';
import type { StreamElement } from '../../core/stream-element.types';

// A (p=2) → B (p=3) by hash; B → C (p=3) forward; A → C by hash into C's second input.
const vertex = (id: string, parallelism: number, isSource = false) => ({ id, name: id, parallelism, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource });
const graph: JobGraph = {
  jobName: 'wiring',
  config: { parallelism: 3, maxParallelism: 128 },
  vertices: [vertex('A', 2, true), vertex('B', 3), vertex('C', 3)],
  edges: [
    { id: 'e0', source: 'A', target: 'B', targetInput: 0, partitioner: 'hash' },
    { id: 'e1', source: 'B', target: 'C', targetInput: 0, partitioner: 'forward' },
    { id: 'e2', source: 'A', target: 'C', targetInput: 1, partitioner: 'hash' },
  ],
} as JobGraph;

describe('subtaskWiring', () => {
  it('numbers a gate’s channels by in-edge in graph order, then source subtask, with edge id and index', () => {
    // C/1: e1 from B/1 alone (forward) is channel 0, then e2 from A/0 and A/1 are 1 and 2.
    const c1 = subtaskWiring(graph, 'C', 1);
    expect(c1.gateInputs).toEqual([0, 1, 1]);
    expect(c1.inputs.map((i) => ({ id: i.edge.id, index: i.edgeIndex, forward: i.forward, base: i.channelBase, sources: i.sources }))).toEqual([
      { id: 'e1', index: 1, forward: true, base: 0, sources: [{ sourceSubtask: 1, channel: 0 }] },
      { id: 'e2', index: 2, forward: false, base: 1, sources: [{ sourceSubtask: 0, channel: 1 }, { sourceSubtask: 1, channel: 2 }] },
    ]);
    expect(c1.outputs).toEqual([]);
  });

  it('sends each output channel to the gate channel its consumer numbers it with', () => {
    const a1 = subtaskWiring(graph, 'A', 1);
    expect(a1.inputs).toEqual([]);
    expect(a1.outputs.map((o) => ({ id: o.edge.id, index: o.edgeIndex, targets: o.targets }))).toEqual([
      { id: 'e0', index: 0, targets: [0, 1, 2].map((t) => ({ targetSubtask: t, gateChannel: 1 })) },
      { id: 'e2', index: 2, targets: [0, 1, 2].map((t) => ({ targetSubtask: t, gateChannel: 2 })) },
    ]);
    // Forward: B/2 writes to C/2 only, on C/2's channel 0.
    expect(subtaskWiring(graph, 'B', 2).outputs[0].targets).toEqual([{ targetSubtask: 2, gateChannel: 0 }]);
  });

  it('asks the factory for the gate, each input edge and each output edge, keyed by edge id for StreamTask', () => {
    const calls: string[] = [];
    const factory: ChannelFactory = {
      gate: (w) => (calls.push(`gate ${w.vertex.id}/${w.subtask} [${w.gateInputs.join(',')}]`), { numberOfChannels: w.gateInputs.length, inputOf: (c) => w.gateInputs[c], next: () => Promise.resolve(undefined), abort: () => undefined }),
      input: (i) => void calls.push(`input ${i.edge.id}`),
      output: (o) => (calls.push(`output ${o.edge.id}`), { numberOfChannels: o.targets.length, emit: () => undefined, awaitCapacity: () => undefined, abort: () => undefined }),
    };
    const c0 = wireSubtask(graph, 'C', 0, factory);
    const b0 = wireSubtask(graph, 'B', 0, factory);
    const a0 = wireSubtask(graph, 'A', 0, factory);
    expect(calls).toEqual(['gate C/0 [0,1,1]', 'input e1', 'input e2', 'gate B/0 [0,0]', 'input e0', 'output e1', 'output e0', 'output e2']);
    expect([...c0.outputs.keys()]).toEqual([]);
    expect([...b0.outputs.keys()]).toEqual(['e1']);
    expect([...a0.outputs.keys()]).toEqual(['e0', 'e2']);
    expect(a0.inputGate).toBeUndefined();
  });
});

describe('InProcessChannelFactory', () => {
  it('connects a producer’s channel to its consumer’s gate, whichever end is wired first', () => {
    const factory = new InProcessChannelFactory(graph, 8);
    // The producer first: C/1's gate is made for A/1's writer, and is the one C/1 then gets.
    const a1 = wireSubtask(graph, 'A', 1, factory);
    const c1 = wireSubtask(graph, 'C', 1, factory);
    const b1 = wireSubtask(graph, 'B', 1, factory);
    const record = (value: number): StreamElement => ({ kind: 'record', value }) as unknown as StreamElement;
    a1.outputs.get('e2')!.emit(1, record(21)); // channel 1 of e2's partition is C/1
    b1.outputs.get('e1')!.emit(0, record(11));
    const gate = c1.inputGate as InProcessInputGate;
    const first = gate.next() as { channel: number; element: { value: number } };
    const second = gate.next() as { channel: number; element: { value: number } };
    expect([first, second].map((i) => [i.channel, gate.inputOf(i.channel), i.element.value])).toEqual([[2, 1, 21], [0, 0, 11]]);
  });
});
