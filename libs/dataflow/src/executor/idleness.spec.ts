/**
 * Idleness end to end: a window downstream of two sources fires while one source stays silent,
 * because the silent source declares itself idle and is left out of the minimum watermark.
 */
import { Boundedness, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy, type Source } from '../index';

function scripted(batches: number[][]): Source<number, number> {
  return {
    boundedness: Boundedness.Continuous,
    createReader: () => {
      let i = 0;
      return { pollBatch: () => batches[i++] ?? [], position: () => i, restore: (p: number) => void (i = p) };
    },
  };
}

describe('idle sources', () => {
  it('windows fire although one input never produces a record', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x).withIdleness(20);
    const busy = env.fromSource(scripted([[1, 4, 12], [15, 25]]), strategy, 'busy');
    const silent = env.fromSource(scripted([]), strategy, 'silent');
    let fired!: (v: number[]) => void;
    const firstWindows = new Promise<number[]>((r) => (fired = r));
    const results: number[] = [];
    busy
      .union(silent)
      .keyBy(() => 'all')
      .window(TumblingEventTimeWindows.of(10))
      .reduce((a, b) => a + b)
      .sinkTo({
        createWriter: () => ({
          write: (vs: readonly number[]) => {
            results.push(...vs);
            if (results.length >= 2) fired(results.slice());
          },
        }),
      });
    const client = await env.executeAsync('idleness');
    // [0,10) = 1+4 and [10,20) = 12+15 fire once the busy source's watermark (24) passes them.
    expect(await firstWindows).toEqual([5, 27]);
    await client.cancel();
  });
});
