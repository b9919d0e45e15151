/**
 * StreamTask checkpoint modes and drain: a two-input task under exactly-once vs at-least-once
 * (what the snapshot covers when records follow a barrier on one channel), and drain() ending an
 * unbounded source task like a bounded one (MAX watermark, windows fire, the task finishes).
 */
import { StreamElementType, MAX_WATERMARK, type StreamElement } from '../../core/stream-element.types';
import { StreamExecutionEnvironment } from '../../api/stream-execution-environment';
import { inputChannels } from '../../graph/channel-layout';
import { CheckpointingMode } from '../../graph/job-graph.types';
import { Boundedness, type Source } from '../../connectors/source.types';
import { WatermarkStrategy } from '../../time/watermark-strategy';
import { TumblingEventTimeWindows } from '../../time/window-assigners';
import { InProcessInputGate, InProcessPartitionWriter } from './in-process.channel';
import { StreamTask, type SnapshotTimings } from './stream.task';

const rec = (v: number): StreamElement => ({ type: StreamElementType.Records, values: [v], timestamps: [0] });

async function runTwoInputTask(mode: CheckpointingMode, bytesPerRecordIn = 0) {
  const written: number[] = [];
  const atSnapshot: number[][] = [];
  const env = StreamExecutionEnvironment.createPlanEnvironment(1);
  env
    .fromElements(1)
    .uid('a')
    .union(env.fromElements(10).uid('b'))
    .map((x) => x)
    .uid('m')
    .sinkTo({
      createWriter: () => ({
        write: (vs: readonly number[]) => void written.push(...vs),
        snapshotState: () => atSnapshot.push([...written]),
      }),
    })
    .uid('s');
  const { jobGraph, functions } = env.buildJob('modes');
  const vertex = jobGraph.vertices.find((v) => v.operators.some((o) => o.uid === 'm'))!;
  const channels = inputChannels(jobGraph, vertex.id, 0);
  const gate = new InProcessInputGate(channels.map((c) => c.input), 64);
  const barrier = { type: StreamElementType.Barrier, checkpointId: 1, timestamp: 0 } as const;
  // In gate order: channel 0's record after its barrier arrives before channel 1's barrier.
  for (const [c, e] of [[0, rec(1)], [0, barrier], [0, rec(2)], [1, rec(10)], [1, barrier], [1, rec(11)]] as [number, StreamElement][]) gate.push(c, e);
  gate.push(0, { type: StreamElementType.EndOfPartition });
  gate.push(1, { type: StreamElementType.EndOfPartition });
  const acked: number[] = [];
  const timings: SnapshotTimings[] = [];
  const task = new StreamTask({
    jobGraph, vertex, subtaskIndex: 0, functions, inputGate: gate, outputs: new Map(), checkpointMode: mode,
    onCheckpoint: (id, _state, t) => {
      acked.push(id);
      if (t) timings.push(t);
    },
  });
  // A serialized input counts bytes as it reads; here the sink's writes stand in for the reads.
  if (bytesPerRecordIn > 0) task.metrics.bytes = () => [written.length * bytesPerRecordIn, 0];
  await task.run();
  return { written, atSnapshot, acked, timings };
}

describe('StreamTask checkpoint modes', () => {
  it('exactly-once: records after a barrier wait until every channel delivered it', async () => {
    const r = await runTwoInputTask(CheckpointingMode.ExactlyOnce);
    expect(r.acked).toEqual([1]);
    expect(r.atSnapshot).toEqual([[1, 10]]);
    expect(r.written.sort((a, b) => a - b)).toEqual([1, 2, 10, 11]);
  });

  it("counts the bytes read while aligning (Flink's alignment 'processed')", async () => {
    // Between channel 0's barrier and channel 1's, only record 10 (channel 1) is processed;
    // record 2 waits behind channel 0's barrier.
    const r = await runTwoInputTask(CheckpointingMode.ExactlyOnce, 100);
    expect(r.timings).toHaveLength(1);
    expect(r.timings[0].alignmentProcessedBytes).toBe(100);
    expect((await runTwoInputTask(CheckpointingMode.ExactlyOnce)).timings[0].alignmentProcessedBytes).toBe(0);
  });

  it('at-least-once: channels are not blocked, the snapshot may include records after the barrier', async () => {
    const r = await runTwoInputTask(CheckpointingMode.AtLeastOnce);
    expect(r.acked).toEqual([1]);
    expect(r.atSnapshot).toEqual([[1, 2, 10]]);
    expect(r.written.sort((a, b) => a - b)).toEqual([1, 2, 10, 11]);
  });
});

describe('StreamTask.drain()', () => {
  it('ends an unbounded source task after a pending checkpoint: barrier, MAX watermark, end-of-partition', async () => {
    let next = 0;
    let polled!: () => void;
    const polling = new Promise<void>((r) => (polled = r));
    const endless: Source<number, number> = {
      boundedness: Boundedness.Continuous,
      createReader: () => ({
        pollBatch: () => {
          if (next >= 25) {
            polled();
            return [];
          }
          return [next++];
        },
        position: () => next,
        restore: (p) => void (next = p),
      }),
    };
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    env
      .fromSource(endless, WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v * 100), 'endless')
      .uid('src')
      .disableChaining()
      .keyBy(() => 'all')
      .window(TumblingEventTimeWindows.of(1000))
      .reduce((a, b) => a + b)
      .uid('sum');
    const { jobGraph, functions } = env.buildJob('drain');
    const vertex = jobGraph.vertices.find((v) => v.isSource)!;
    const edge = jobGraph.edges.find((e) => e.source === vertex.id)!;
    const target = jobGraph.vertices.find((v) => v.id === edge.target)!;
    const gate = new InProcessInputGate(inputChannels(jobGraph, target.id, 0).map((c) => c.input), 1024);
    const acked: number[] = [];
    const task = new StreamTask({
      jobGraph, vertex, subtaskIndex: 0, functions,
      outputs: new Map([[edge.id, new InProcessPartitionWriter([{ gate, channel: 0 }])]]),
      onCheckpoint: (id) => acked.push(id),
    });
    const done = task.run();
    await polling;
    task.triggerCheckpoint(7);
    task.drain();
    await done;
    expect(acked).toEqual([7]);
    const kinds: string[] = [];
    let sum = 0;
    for (let item = gate.next(); !(item instanceof Promise); item = gate.next()) {
      const e = item.element;
      if (e.type === 'records') sum += e.values.reduce((a: number, b) => a + (b as number), 0);
      else if (e.type === 'barrier' || e.type === 'end-of-partition' || (e.type === 'watermark' && e.timestamp === MAX_WATERMARK)) kinds.push(e.type === 'watermark' ? 'max-watermark' : e.type);
    }
    // The savepoint barrier first, then the end of input as if the source were bounded.
    expect(kinds).toEqual(['barrier', 'max-watermark', 'end-of-partition']);
    expect(sum).toBe((24 * 25) / 2);
  });
});

describe('JobClient.drain() (embedded)', () => {
  it('a savepoint then drain: every event-time window fires and the job finishes', async () => {
    const N = 40;
    let next = 0;
    let reached!: () => void;
    const allEmitted = new Promise<void>((r) => (reached = r));
    const endless: Source<number, number> = {
      boundedness: Boundedness.Continuous,
      createReader: () => ({
        pollBatch: () => {
          if (next >= N) {
            reached();
            return [];
          }
          return [next++];
        },
        position: () => next,
        restore: (p) => void (next = p),
      }),
    };
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const windows: number[] = [];
    env
      .fromSource(endless, WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v * 100), 'endless')
      .setParallelism(1)
      .uid('src')
      .keyBy((v) => v % 2)
      .window(TumblingEventTimeWindows.of(1000))
      .reduce((a, b) => a + b)
      .uid('sum')
      .sinkTo({ createWriter: () => ({ write: (vs: readonly number[]) => void windows.push(...vs) }) });
    const client = await env.executeAsync('drain');
    await allEmitted;
    const savepoint = client.triggerCheckpoint();
    await client.drain();
    expect((await savepoint).state.get('src')![0].operator).toEqual({ position: N });
    // Windows of 10 values each (timestamps v·100), per parity key: sums computed directly.
    const expected: number[] = [];
    for (let w = 0; w < N / 10; w++)
      for (const parity of [0, 1]) {
        let s = 0;
        for (let v = w * 10; v < w * 10 + 10; v++) if (v % 2 === parity) s += v;
        expected.push(s);
      }
    expect(windows.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });
});

describe('StreamTask with a failed input', () => {
  it('fails with the transport’s cause once the queued elements are processed, instead of spinning', async () => {
    const written: number[] = [];
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    env
      .fromElements(1)
      .uid('a')
      .union(env.fromElements(10).uid('b'))
      .map((x) => x)
      .uid('m')
      .sinkTo({ createWriter: () => ({ write: (vs: readonly number[]) => void written.push(...vs) }) })
      .uid('s');
    const { jobGraph, functions } = env.buildJob('failed-input');
    const vertex = jobGraph.vertices.find((v) => v.operators.some((o) => o.uid === 'm'))!;
    const gate = new InProcessInputGate(inputChannels(jobGraph, vertex.id, 0).map((c) => c.input), 64);
    gate.push(0, rec(1));
    const task = new StreamTask({ jobGraph, vertex, subtaskIndex: 0, functions, inputGate: gate, outputs: new Map() });
    const running = task.run();
    // The task is waiting on input when the read fails (a JetStream error, a deleted consumer).
    await new Promise((resolve) => setImmediate(resolve));
    gate.fail(new Error('reading partition 0 of edge 0 from JetStream stream s failed: stream not found'));
    await expect(running).rejects.toThrow(/stream not found/);
    expect(written).toEqual([1]);
  });
});
