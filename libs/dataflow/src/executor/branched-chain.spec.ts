/**
 * Operator chains that branch (an operator chained with several forward successors, as Flink
 * chains a source feeding several filters): each branch gets every record and every watermark,
 * edges may leave from any operator of the chain, metrics count per operator, and a checkpoint
 * of the chain restores every operator by uid. Expected values are computed here, from the input.
 */
import {
  Boundedness,
  CollectSink,
  EmbeddedExecutor,
  OutputTag,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
  operatorMetricValues,
  taskMetricValues,
  type Source,
  type SourceReader,
} from '../index';

const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('branched operator chains (embedded executor)', () => {
  it('a source with two forward branches is one task; each branch gets every record, and an edge leaves from mid-chain', async () => {
    const N = 500;
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const doubled = new CollectSink<number>();
    const odd = new CollectSink<number>();
    const sums = new CollectSink<{ k: number; s: number }>();
    const src = env.fromSequence(1, N).uid('src').name('numbers');
    src
      .map((x) => ({ k: x % 7, s: x }))
      .uid('pair')
      .name('pair')
      .keyBy((p) => p.k)
      .reduce((a, b) => ({ k: a.k, s: a.s + b.s }))
      .uid('sum')
      .sinkTo(sums)
      .uid('out-sum');
    src.map((x) => x * 2).uid('double').name('double').sinkTo(doubled).uid('out-double');
    src.filter((x) => x % 2 === 1).uid('odd').name('odd').map((x) => -x).uid('negate').name('negate').sinkTo(odd).uid('out-odd');
    const job = env.buildJob('branches');
    const [tree, keyed] = job.jobGraph.vertices;
    expect(job.jobGraph.vertices).toHaveLength(2);
    expect(tree.operators.map((o) => o.uid)).toEqual(['src', 'pair', 'double', 'out-double', 'odd', 'negate', 'out-odd']);
    expect(job.jobGraph.edges.map((e) => [e.source, e.target, e.sourceOperator])).toEqual([['src', keyed.id, 'pair']]);

    const client = new EmbeddedExecutor().submit(job, { batchSize: 16 });
    await client.result;

    const input = Array.from({ length: N }, (_, i) => i + 1);
    expect(sortNum(doubled.values)).toEqual(input.map((x) => x * 2));
    expect(sortNum(odd.values)).toEqual(sortNum(input.filter((x) => x % 2 === 1).map((x) => -x)));
    const finals = new Map<number, number>();
    for (const r of sums.values) finals.set(r.k, Math.max(finals.get(r.k) ?? 0, r.s));
    const wanted = new Map<number, number>();
    for (const x of input) wanted.set(x % 7, (wanted.get(x % 7) ?? 0) + x);
    expect(finals).toEqual(wanted);

    // Metrics per operator of the tree: each branch's first operator took every record of the source.
    const metrics = (client.metrics?.() ?? []).filter((m) => m.vertexId === tree.id);
    expect(metrics).toHaveLength(2);
    const opTotal = (name: string, metric: 'numRecordsIn' | 'numRecordsOut') => {
      const k = metrics[0].operators.indexOf(name);
      expect(k).toBeGreaterThanOrEqual(0);
      return metrics.reduce((a, m) => a + operatorMetricValues(m.snapshot, k)[metric], 0);
    };
    expect(opTotal('numbers', 'numRecordsOut')).toBe(N);
    for (const name of ['double', 'odd', 'pair']) expect(opTotal(name, 'numRecordsIn')).toBe(N);
    const odds = input.filter((x) => x % 2 === 1).length;
    expect(opTotal('odd', 'numRecordsOut')).toBe(odds);
    expect(opTotal('negate', 'numRecordsIn')).toBe(odds);
    // The task's output is what left it over the network: the pairs.
    expect(metrics.reduce((a, m) => a + taskMetricValues(m.snapshot).numRecordsOut, 0)).toBe(N);
  });

  it('watermarks reach every branch in order with the records: each branch drops exactly its late records', async () => {
    // Out-of-order timestamps; one source record per batch, so a watermark (max timestamp - 1)
    // follows every record through the tree.
    const N = 300;
    const WINDOW = 10;
    const ts = (i: number) => i * 3 + ((i * 7919) % 23) - 11;
    const env = StreamExecutionEnvironment.createPlanEnvironment(1).setAutoWatermarkInterval(0);
    const stamped = env
      .fromSequence(0, N - 1)
      .uid('src')
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner(ts))
      .uid('stamp');
    const branches = [0, 1].map((parity) => {
      const counts = new CollectSink<{ k: number; w: number; n: number }>();
      const late = new CollectSink<number>();
      const tag = new OutputTag<{ k: number; w: number; n: number; i: number }>(`late-${parity}`);
      const windowed = stamped
        .filter((i) => i % 2 === parity)
        .uid(`parity-${parity}`)
        .map((i) => ({ k: i % 3, w: Math.floor(ts(i) / WINDOW), n: 1, i }))
        .uid(`row-${parity}`)
        .keyBy((r) => r.k)
        .window(TumblingEventTimeWindows.of(WINDOW))
        .sideOutputLateData(tag)
        .reduce((a, b) => ({ k: a.k, w: a.w, n: a.n + b.n, i: a.i }))
        .uid(`count-${parity}`);
      windowed.map((r) => ({ k: r.k, w: r.w, n: r.n })).sinkTo(counts);
      windowed.getSideOutput(tag).map((r) => r.i).sinkTo(late);
      return { parity, counts, late };
    });
    const job = env.buildJob('late-branches');
    expect(job.jobGraph.vertices[0].operators.map((o) => o.uid)).toEqual(['src', 'stamp', 'parity-0', 'row-0', 'parity-1', 'row-1']);
    await new EmbeddedExecutor().submit(job, { batchSize: 1 }).result;

    for (const { parity, counts, late } of branches) {
      // The window operator's watermark when record i arrives: max timestamp of all records before it, - 1.
      const wantLate: number[] = [];
      const wantCounts = new Map<string, number>();
      let maxTs = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < N; i++) {
        const t = ts(i);
        if (i % 2 === parity) {
          const windowMax = Math.floor(t / WINDOW) * WINDOW + WINDOW - 1;
          if (windowMax <= maxTs - 1) wantLate.push(i);
          else {
            const key = `${i % 3}/${Math.floor(t / WINDOW)}`;
            wantCounts.set(key, (wantCounts.get(key) ?? 0) + 1);
          }
        }
        maxTs = Math.max(maxTs, t);
      }
      expect(wantLate.length).toBeGreaterThan(0);
      expect(sortNum(late.values)).toEqual(wantLate);
      expect(new Map(counts.values.map((r) => [`${r.k}/${r.w}`, r.n]))).toEqual(wantCounts);
      expect(counts.values).toHaveLength(wantCounts.size);
    }
  });

  it('operators finish after their chained predecessors: what a window fires at end of input reaches both branches', async () => {
    // Processing-time windows fire only in the window's finish(), into both chained branches; a
    // sink that finished before it would never write them.
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const direct = new CollectSink<{ k: number; s: number }>();
    const scaled = new CollectSink<{ k: number; s: number }>();
    const windowed = env
      .fromSequence(1, 400)
      .keyBy((x) => x % 3)
      .window(TumblingProcessingTimeWindows.of(3_600_000))
      .reduce((a, b) => a + b)
      .uid('window')
      .map((s) => s)
      .uid('identity');
    // Both consumers of one operator: a tree behind the keyed window.
    windowed.map((s) => ({ k: s % 3, s })).uid('direct').sinkTo(direct).uid('direct-sink');
    windowed.map((s) => ({ k: s % 3, s: s * 10 })).uid('scaled').sinkTo(scaled).uid('scaled-sink');
    const job = env.buildJob('finish-order');
    expect(job.jobGraph.vertices[1].operators.map((o) => o.uid)).toEqual(['window', 'identity', 'direct', 'direct-sink', 'scaled', 'scaled-sink']);
    await new EmbeddedExecutor().submit(job).result;
    // Sums of each key's window results (an hour boundary may split a key into two windows).
    const total = (rows: { s: number }[]) => rows.reduce((a, r) => a + r.s, 0);
    const all = Array.from({ length: 400 }, (_, i) => i + 1).reduce((a, b) => a + b, 0);
    expect(total(direct.values)).toBe(all);
    expect(total(scaled.values)).toBe(all * 10);
    expect(direct.values.length).toBeGreaterThanOrEqual(3);
    expect(scaled.values).toHaveLength(direct.values.length);
  });

  it('a checkpoint of a branched chain holds every operator, and restoring it restores each by uid', async () => {
    const N = 300;
    const PAUSE_AT = 90;
    const gated = (pause: boolean) => new PausingSource(N, PAUSE_AT, pause);
    const restoredWith: unknown[] = [];
    const written: number[] = [];
    // A sink writer with state, chained in one branch of the source's chain.
    const countingSink = {
      createWriter: () => {
        let count = 0;
        return {
          write: (vs: readonly number[]) => {
            count += vs.length;
            written.push(...vs);
          },
          snapshotState: () => ({ count }),
          restoreState: (s: unknown) => {
            restoredWith.push(s);
            count = (s as { count: number }).count;
          },
        };
      },
    };
    const build = (source: PausingSource) => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(2);
      const sums = new CollectSink<{ k: number; s: number }>();
      const s = env.fromSource(source, WatermarkStrategy.noWatermarks(), 'gated').uid('src');
      s.map((x) => x * 10).uid('tens').sinkTo(countingSink).uid('tens-sink');
      s.map((x) => ({ k: x % 5, s: x }))
        .uid('pair')
        .keyBy((p) => p.k)
        .reduce((a, b) => ({ k: a.k, s: a.s + b.s }))
        .uid('sum')
        .sinkTo(sums)
        .uid('sum-sink');
      return { job: env.buildJob('branched-checkpoint'), sums };
    };

    const first = gated(true);
    const { job } = build(first);
    expect(job.jobGraph.vertices[0].operators.map((o) => o.uid)).toEqual(['src', 'tens', 'tens-sink', 'pair']);
    const client = new EmbeddedExecutor().submit(job, { batchSize: 7, channelCapacity: 2 });
    await first.allPaused;
    const checkpoint = client.triggerCheckpoint();
    first.release();
    const completed = await checkpoint;
    await client.result;
    expect([...completed.state.keys()].sort()).toEqual(['pair', 'src', 'sum', 'sum-sink', 'tens', 'tens-sink']);
    // The barrier follows the records a reader emitted before it (at least PAUSE_AT: the trigger
    // may race with release()), and the sink chained behind the source counted exactly those.
    const bySubtask = (uid: string) => new Map((completed.state.get(uid) ?? []).map((x) => [x.subtaskIndex, x.operator]));
    const positions = [0, 1].map((s) => (bySubtask('src').get(s) as { position: number }).position);
    for (const p of positions) expect(p).toBeGreaterThanOrEqual(PAUSE_AT);
    expect([0, 1].map((s) => (bySubtask('tens-sink').get(s) as { writer: { count: number } }).writer.count)).toEqual(positions);

    written.length = 0;
    const again = gated(false);
    const recovered = build(again);
    await new EmbeddedExecutor().submit(recovered.job, { restoredState: completed.state, batchSize: 5 }).result;
    // The chained sink got its own state back; the source went on from its positions.
    expect(sortNum(restoredWith.map((r) => (r as { count: number }).count))).toEqual(sortNum(positions));
    const rest = Array.from({ length: N }, (_, i) => i).filter((i) => Math.floor(i / 2) >= positions[i % 2]);
    expect(sortNum(written)).toEqual(rest.map((i) => i * 10));
    // The keyed branch behind the chain is exactly-once across the restore.
    const finals = new Map<number, number>();
    for (const r of recovered.sums.values) finals.set(r.k, Math.max(finals.get(r.k) ?? -1, r.s));
    const wanted = new Map<number, number>();
    for (let i = 0; i < N; i++) wanted.set(i % 5, (wanted.get(i % 5) ?? 0) + i);
    expect(finals).toEqual(wanted);
  });
});

/** Reader i of 2 emits i, i+2, …; it pauses after `pauseAt` records until `release()`. */
class PausingSource implements Source<number, number> {
  readonly boundedness = Boundedness.Bounded;
  private paused = 0;
  private released: boolean;
  private onPaused?: () => void;
  readonly allPaused: Promise<void>;
  constructor(
    private readonly n: number,
    private readonly pauseAt: number,
    pause: boolean,
  ) {
    this.released = !pause;
    this.allPaused = new Promise((r) => (this.onPaused = r));
  }
  release(): void {
    this.released = true;
  }
  createReader({ subtaskIndex, parallelism }: { subtaskIndex: number; parallelism: number }): SourceReader<number, number> {
    let emitted = 0;
    let countedPause = false;
    return {
      pollBatch: (max) => {
        if (subtaskIndex + emitted * parallelism >= this.n) return null;
        const out: number[] = [];
        while (out.length < max) {
          const i = subtaskIndex + emitted * parallelism;
          if (i >= this.n) break;
          if (emitted >= this.pauseAt && !this.released) {
            if (!countedPause && ++this.paused === parallelism) this.onPaused?.();
            countedPause = true;
            break;
          }
          out.push(i);
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
