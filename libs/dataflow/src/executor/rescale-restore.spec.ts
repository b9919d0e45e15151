/**
 * End-to-end state redistribution: a keyed running sum runs at parallelism 2, its final state is
 * restored into the same job at parallelism 3 (and 1), and the sums continue from where they were.
 */
import { encode, decode } from 'msgpackr';
import { CollectSink, EmbeddedExecutor, StreamExecutionEnvironment, type OperatorStateSnapshot } from '../index';

interface Row {
  k: string;
  v: number;
}

function job(input: Row[], parallelism: number, sourceUid: string) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(parallelism);
  const sink = new CollectSink<Row>();
  env.fromCollection(input).uid(sourceUid).keyBy((r) => r.k).sum('v').uid('sums').sinkTo(sink).uid('sink');
  return { built: env.buildJob('sums'), sink };
}

describe('snapshot → restore at another parallelism (embedded executor)', () => {
  it.each([3, 1])('sums continue after rescaling 2 → %d', async (newParallelism) => {
    const a: Row[] = Array.from({ length: 60 }, (_, i) => ({ k: `k${i % 7}`, v: i }));
    const b: Row[] = Array.from({ length: 30 }, (_, i) => ({ k: `k${i % 9}`, v: 1000 + i }));
    const first = job(a, 2, 'source-a');
    const r1 = await new EmbeddedExecutor().submit(first.built, { captureFinalState: true }).result;
    // State must survive the wire format: encode/decode every snapshot with msgpackr.
    const restored = new Map<string, OperatorStateSnapshot[]>([...r1.finalState!].map(([uid, snaps]) => [uid, snaps.map((s) => decode(encode(s)))]));
    const second = job(b, newParallelism, 'source-b');
    await new EmbeddedExecutor().submit(second.built, { restoredState: restored }).result;

    const totals = new Map<string, number>();
    for (const r of [...a, ...b]) totals.set(r.k, (totals.get(r.k) ?? 0) + r.v);
    const finals = new Map<string, number>();
    for (const r of second.sink.values) finals.set(r.k, Math.max(finals.get(r.k) ?? -Infinity, r.v));
    for (const k of new Set(b.map((r) => r.k))) expect(finals.get(k)).toBe(totals.get(k));
  });
});
