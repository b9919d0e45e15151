/**
 * Checkpoints on the embedded executor: barriers injected at the sources, aligned at the keyed
 * operator (two input channels), snapshots acknowledged; restoring the checkpoint and replaying
 * the sources from their positions gives exactly-once state.
 */
import {
  Boundedness,
  CheckpointDeclinedError,
  CollectSink,
  EmbeddedExecutor,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  type Source,
  type SourceReader,
} from '../index';

interface Row {
  k: string;
  v: number;
}
const N = 400;
const PAUSE_AT = 120; // per reader
const row = (i: number): Row => ({ k: `k${i % 11}`, v: i });

/** Reader i emits rows i, i+p, …; it pauses after PAUSE_AT rows until `gate.release()`. */
class GatedSource implements Source<Row, number> {
  readonly boundedness = Boundedness.Bounded;
  paused = 0;
  private released = false;
  private onPaused?: () => void;
  readonly allPaused: Promise<void>;
  constructor(private readonly parallelism: number, pause: boolean) {
    this.released = !pause;
    this.allPaused = new Promise((r) => (this.onPaused = r));
  }
  release(): void {
    this.released = true;
  }
  createReader({ subtaskIndex, parallelism }: { subtaskIndex: number; parallelism: number }): SourceReader<Row, number> {
    let emitted = 0;
    let countedPause = false;
    return {
      pollBatch: (max) => {
        const next = subtaskIndex + emitted * parallelism;
        if (next >= N) return null;
        if (emitted >= PAUSE_AT && !this.released) {
          if (!countedPause && ++this.paused === this.parallelism) this.onPaused?.();
          countedPause = true;
          return [];
        }
        const out: Row[] = [];
        while (out.length < Math.min(max, 7)) {
          const i = subtaskIndex + emitted * parallelism;
          if (i >= N || (emitted >= PAUSE_AT && !this.released)) break;
          out.push(row(i));
          emitted++;
        }
        return out;
      },
      position: () => emitted,
      restore: (p) => {
        emitted = p;
      },
    };
  }
}

function build(source: GatedSource) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(2);
  const sink = new CollectSink<Row>();
  env
    .fromSource(source, WatermarkStrategy.noWatermarks(), 'gated')
    .uid('src')
    .keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum')
    .sinkTo(sink)
    .uid('sink');
  return { job: env.buildJob('checkpointed'), sink };
}

describe('checkpoints (embedded executor)', () => {
  it('a checkpoint taken mid-stream restores to exactly-once state', async () => {
    const source = new GatedSource(2, true);
    const { job } = build(source);
    const client = new EmbeddedExecutor().submit(job, { batchSize: 5, channelCapacity: 2 });
    await source.allPaused;
    const checkpoint = client.triggerCheckpoint();
    source.release(); // records after the barrier now race with it: alignment must keep them out
    const completed = await checkpoint;
    await client.result;
    expect([...completed.state.keys()].sort()).toEqual(['sink', 'src', 'sum']);
    expect(completed.state.get('src')!.map((s) => s.operator)).toEqual([{ position: PAUSE_AT }, { position: PAUSE_AT }]);

    // Recover: restore the checkpoint, the sources rewind to their positions.
    const again = new GatedSource(2, false);
    const recovered = build(again);
    await new EmbeddedExecutor().submit(recovered.job, { restoredState: completed.state, batchSize: 3 }).result;
    const totals = new Map<string, number>();
    for (let i = 0; i < N; i++) totals.set(row(i).k, (totals.get(row(i).k) ?? 0) + i);
    const finals = new Map<string, number>();
    for (const r of recovered.sink.values) finals.set(r.k, Math.max(finals.get(r.k) ?? -1, r.v));
    expect(finals).toEqual(totals);
  });

  it('declines a checkpoint when tasks already finished', async () => {
    const { job } = build(new GatedSource(2, false));
    const client = new EmbeddedExecutor().submit(job);
    await client.result;
    await expect(client.triggerCheckpoint()).rejects.toBeInstanceOf(CheckpointDeclinedError);
  });
});

describe('two-phase commit hooks of sink writers', () => {
  it('pre-commits on the barrier (after earlier batches were written) and commits when the checkpoint completes', async () => {
    const source = new GatedSource(2, true);
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const written: number[] = [];
    const committed: number[] = [];
    const restoredWith: unknown[] = [];
    const sink = {
      createWriter: ({ subtaskIndex }: { subtaskIndex: number }) => {
        let count = 0;
        return {
          write: async (vs: readonly Row[]) => {
            count += vs.length;
            written.push(...vs.map((v) => v.v));
          },
          snapshotState: (id: number) => ({ id, subtaskIndex, count }),
          notifyCheckpointComplete: (id: number) => void committed.push(id),
          restoreState: (s: unknown) => void restoredWith.push(s),
        };
      },
    };
    env.fromSource(source, WatermarkStrategy.noWatermarks()).uid('src').map((r) => r).uid('m').sinkTo(sink).uid('tx-sink');
    const client = new EmbeddedExecutor().submit(env.buildJob('2pc'), { batchSize: 4 });
    await source.allPaused;
    const cp = await client.triggerCheckpoint();
    expect(committed).toEqual([1, 1]);
    // Everything before the barrier was written by the time of the pre-commit: 2 readers × PAUSE_AT rows.
    const states = cp.state.get('tx-sink')!.map((s) => (s.operator as { writer: { count: number } }).writer.count);
    expect(states.reduce((a, b) => a + b, 0)).toBe(2 * PAUSE_AT);
    source.release();
    await client.result;
    expect(written).toHaveLength(N);

    const again = StreamExecutionEnvironment.createPlanEnvironment(2);
    again.fromSource(new GatedSource(2, false), WatermarkStrategy.noWatermarks()).uid('src').map((r) => r).uid('m').sinkTo(sink).uid('tx-sink');
    written.length = 0;
    await new EmbeddedExecutor().submit(again.buildJob('2pc'), { restoredState: cp.state }).result;
    expect(restoredWith).toHaveLength(2);
    expect(written).toHaveLength(N - 2 * PAUSE_AT);
  });
});

describe('restoring a checkpoint at another parallelism', () => {
  it('sequence source positions and keyed state are redistributed 2 → 3 with exactly-once sums', async () => {
    const M = 3000;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let firstWrite!: () => void;
    const writing = new Promise<void>((r) => (firstWrite = r));
    const build = (parallelism: number, block: boolean) => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(parallelism);
      const out: Row[] = [];
      env
        .fromSequence(0, M - 1)
        .uid('seq')
        .map(row)
        .uid('rows')
        .keyBy((r) => r.k)
        .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
        .uid('sum')
        .sinkTo({
          createWriter: () => ({
            write: async (vs: readonly Row[]) => {
              out.push(...vs);
              if (block) {
                firstWrite();
                await released; // backpressure keeps the sources mid-stream until the checkpoint is triggered
              }
            },
          }),
        })
        .uid('sink');
      return { job: env.buildJob('rescale'), out };
    };
    const first = build(2, true);
    const client = new EmbeddedExecutor().submit(first.job, { batchSize: 16, channelCapacity: 1 });
    await writing;
    const checkpoint = client.triggerCheckpoint();
    release();
    const cp = await checkpoint;
    await client.result;
    const positions = cp.state.get('seq')!.map((s) => (s.operator as { position: { ranges: [number, number][] } }).position.ranges);
    expect(positions.flat().length).toBeGreaterThan(0); // the sources were mid-stream

    const second = build(3, false);
    await new EmbeddedExecutor().submit(second.job, { restoredState: cp.state }).result;
    const totals = new Map<string, number>();
    for (let i = 0; i < M; i++) totals.set(row(i).k, (totals.get(row(i).k) ?? 0) + i);
    const finals = new Map<string, number>();
    for (const r of second.out) finals.set(r.k, Math.max(finals.get(r.k) ?? -1, r.v));
    expect(finals).toEqual(totals);
  });
});

describe('periodic checkpoints (embedded executor, as on a cluster)', () => {
  /** Polls `done` every 5 ms for up to 10 s (the callers then assert what they waited for). */
  async function until(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  it('checkpoints on the job interval, so a two-phase-commit sink commits while the job runs', async () => {
    const source = new GatedSource(2, true);
    const env = StreamExecutionEnvironment.createPlanEnvironment(2).enableCheckpointing(20);
    const committed: { id: number; count: number }[] = [];
    env
      .fromSource(source, WatermarkStrategy.noWatermarks())
      .uid('src')
      .sinkTo({
        createWriter: () => {
          let count = 0;
          let prepared = new Map<number, number>();
          return {
            write: async (vs: readonly Row[]) => void (count += vs.length),
            snapshotState: (id: number) => (prepared.set(id, count), { count }),
            notifyCheckpointComplete: (id: number) => {
              committed.push({ id, count: prepared.get(id)! });
              prepared = new Map([...prepared].filter(([k]) => k > id));
            },
          };
        },
      })
      .uid('tx-sink');
    const client = new EmbeddedExecutor().submit(env.buildJob('periodic'), { batchSize: 4 });
    try {
      await source.allPaused;
      // Nobody triggers: the interval does. Two writers commit each checkpoint.
      await until(() => new Set(committed.map((c) => c.id)).size >= 3);
      const ids = [...new Set(committed.map((c) => c.id))];
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // Checkpoints while paused cover everything written before the pause: 2 readers × PAUSE_AT.
      const last = committed.filter((c) => c.id === ids[ids.length - 1]);
      expect(last.reduce((a, c) => a + c.count, 0)).toBe(2 * PAUSE_AT);
    } finally {
      source.release();
      await client.result;
    }
  }, 20_000);

  it('fails the job when more checkpoints fail in a row than tolerated', async () => {
    const source = new GatedSource(1, true);
    const env = StreamExecutionEnvironment.createPlanEnvironment(1).enableCheckpointing(5, { timeoutMs: 20, tolerableFailures: 1 });
    let blocked = false;
    let stalled!: () => void;
    const stalledNow = new Promise<void>((r) => (stalled = r));
    env
      .fromSource(source, WatermarkStrategy.noWatermarks())
      .uid('src')
      .map((r) => r)
      .disableChaining()
      .uid('m')
      .sinkTo({
        createWriter: () => ({
          // Once, a write hangs for 1 s: barriers behind it cannot arrive, checkpoints expire.
          write: async () => {
            if (blocked) return;
            blocked = true;
            stalled();
            await new Promise((resolve) => setTimeout(resolve, 1000));
          },
        }),
      })
      .uid('sink');
    const client = new EmbeddedExecutor().submit(env.buildJob('expiring'), { batchSize: 4, channelCapacity: 1 });
    await stalledNow;
    source.release();
    await expect(client.result).rejects.toThrow(/2 checkpoints failed in a row \(tolerable: 1\); the last: expired after 20 ms/);
  });
});
