/**
 * A bounded pipeline of four tasks (source → map → keyed sum → sink) with final checkpoints, wired
 * with in-process channels and driven by a stand-in coordinator that triggers a checkpoint at every
 * task when one asks for its final checkpoint, and completes it once all acknowledged. With
 * end-of-data going downstream before a task's final barrier, one checkpoint is the final one of
 * all four tasks; without it, each stage needed one more after its upstream's end-of-partition.
 */
import { StreamExecutionEnvironment } from '../../api/stream-execution-environment';
import { inputChannels, outputChannels } from '../../graph/channel-layout';
import { InProcessInputGate, InProcessPartitionWriter } from './in-process.channel';
import { StreamTask } from './stream.task';

describe('end-of-data before the final checkpoint', () => {
  it('a four-stage bounded job ends with one final checkpoint taken by every task, its output complete', async () => {
    const written: [string, number][] = [];
    const committed: number[] = [];
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    const words = Array.from({ length: 300 }, (_, i) => `w${i % 7}`);
    env
      .fromCollection(words)
      .uid('src')
      .disableChaining()
      .map((w: string) => [w, 1] as [string, number])
      .uid('pair')
      .keyBy((p: [string, number]) => p[0])
      .sum(1)
      .uid('sum')
      .disableChaining()
      .sinkTo({
        createWriter: () => ({
          write: (vs: readonly [string, number][]) => void written.push(...vs),
          snapshotState: () => undefined,
          notifyCheckpointComplete: (id: number) => void committed.push(id),
        }),
      })
      .uid('sink');
    const { jobGraph, functions } = env.buildJob('eod');
    expect(jobGraph.vertices.map((v) => v.operators.map((o) => o.uid).join("+"))).toEqual(["src", "pair", "sum", "sink"]);

    const gates = new Map(jobGraph.vertices.filter((v) => !v.isSource).map((v) => [v.id, new InProcessInputGate(inputChannels(jobGraph, v.id, 0).map((c) => c.input), 64)]));
    const triggered: number[] = [];
    const acks = new Map<number, Set<string>>();
    const tasks: StreamTask[] = [];
    let next = 0;
    // The coordinator's final-checkpoint scheduling: requests are coalesced into one trigger, and
    // those that come while a checkpoint is pending get one more after it.
    let scheduled = false;
    let pending = false;
    let again = false;
    const request = () => {
      if (pending) again = true;
      if (pending || scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        pending = true;
        const id = ++next;
        triggered.push(id);
        for (const t of tasks) t.triggerCheckpoint(id);
      });
    };
    const completed = (id: number) => {
      pending = false;
      for (const t of tasks) void t.notifyCheckpointComplete(id);
      if (again) {
        again = false;
        request();
      }
    };
    for (const vertex of jobGraph.vertices) {
      const outputs = new Map(
        jobGraph.edges
          .filter((e) => e.source === vertex.id)
          .map((e) => [e.id, new InProcessPartitionWriter(outputChannels(jobGraph, e, 0).map((c) => ({ gate: gates.get(e.target)!, channel: c.gateChannel })))]),
      );
      const task: StreamTask = new StreamTask({
        jobGraph, vertex, subtaskIndex: 0, functions, inputGate: gates.get(vertex.id), outputs, finalCheckpoint: true,
        onAwaitingFinalCheckpoint: request,
        onCheckpoint: (id) => {
          const a = acks.get(id) ?? new Set<string>();
          acks.set(id, a.add(vertex.id));
          check(id);
        },
      });
      tasks.push(task);
    }
    // Complete when every task that has not finished acknowledged (the coordinator stops waiting for finished ones).
    const finished = new Set<string>();
    const check = (id: number) => {
      const a = acks.get(id);
      if (pending && a && jobGraph.vertices.every((v) => a.has(v.id) || finished.has(v.id))) setImmediate(() => completed(id));
    };
    await Promise.all(tasks.map((t, i) => t.run().then(() => {
      finished.add(jobGraph.vertices[i].id);
      check(next);
    })));

    expect(triggered).toEqual([1]);
    expect([...acks.get(1)!].sort()).toEqual(jobGraph.vertices.map((v) => v.id).sort());
    expect(committed).toEqual([1]);
    // Independent count: each word's running sum ends at its number of occurrences.
    const last = new Map<string, number>();
    for (const [w, n] of written) last.set(w, n);
    const expected = new Map<string, number>();
    for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
    expect(last).toEqual(expected);
  });
});
