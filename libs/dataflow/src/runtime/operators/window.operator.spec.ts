import { OperatorTestHarness } from '../operator-test.harness';
import type { AggregateFunction, Collector, ProcessWindowFunction, WindowContext } from '../../api/functions.types';
import type { TimeWindow } from '../../time/time-window';
import type { WindowAssignerConfig } from '../../time/window-assigner.types';

interface Ev {
  k: string;
  v: number;
}

function windowHarness(
  assigner: WindowAssignerConfig,
  fn: 'reduce' | 'aggregate' | 'process',
  functions: Record<string, unknown>,
  opts: { lateness?: number; lateTag?: string; clock?: () => number } = {},
) {
  return new OperatorTestHarness({
    kind: 'window',
    keyed: true,
    clock: opts.clock,
    config: {
      assigner,
      allowedLateness: opts.lateness ?? 0,
      lateTag: opts.lateTag ?? null,
      function: fn,
      hasWindowFunction: functions.windowFn !== undefined,
    },
    functions: { ...functions, keySelectors: [(e: Ev) => e.k] },
  });
}

const sum = (a: Ev, b: Ev): Ev => ({ k: a.k, v: a.v + b.v });
const tumbling = (size: number): WindowAssignerConfig => ({ type: 'tumbling', eventTime: true, size, offset: 0 });

describe('WindowOperator', () => {
  it('tumbling: out-of-order elements land in the right windows, firing on watermark', async () => {
    const h = await windowHarness(tumbling(10), 'reduce', { reduce: sum }).open();
    h.processElement({ k: 'a', v: 1 }, 3).processElement({ k: 'a', v: 2 }, 12).processElement({ k: 'a', v: 4 }, 7).processElement({ k: 'b', v: 8 }, 9);
    expect(h.records()).toEqual([]);
    h.processWatermark(9);
    expect(h.recordsWithTimestamps()).toEqual([
      [{ k: 'a', v: 5 }, 9],
      [{ k: 'b', v: 8 }, 9],
    ]);
    h.clear();
    h.processElement({ k: 'a', v: 100 }, 15).processWatermark(19);
    expect(h.recordsWithTimestamps()).toEqual([[{ k: 'a', v: 102 }, 19]]);
    expect(h.watermarks()).toEqual([19]);
  });

  it('windows are aligned to the epoch plus offset and handle negative timestamps', async () => {
    const h = await windowHarness({ type: 'tumbling', eventTime: true, size: 10, offset: 3 }, 'process', {
      windowFn: {
        process(key: string, ctx: WindowContext<TimeWindow>, els: readonly Ev[], out: Collector<string>) {
          out.collect(`${key}[${ctx.window.start},${ctx.window.end}):${els.length}`);
        },
      },
    }).open();
    h.processElement({ k: 'a', v: 1 }, 2).processElement({ k: 'a', v: 1 }, 3).processElement({ k: 'a', v: 1 }, -8);
    h.processWatermark(100);
    expect(h.records()).toEqual(['a[-17,-7):1', 'a[-7,3):1', 'a[3,13):1']);
  });

  it('drops late elements, or sends them to the late side output', async () => {
    const h = await windowHarness(tumbling(10), 'reduce', { reduce: sum }, { lateTag: 'late' }).open();
    h.processElement({ k: 'a', v: 1 }, 5).processWatermark(10);
    h.processElement({ k: 'a', v: 7 }, 4);
    expect(h.records()).toEqual([{ k: 'a', v: 1 }]);
    expect(h.sideOutput('late')).toEqual([{ k: 'a', v: 7 }]);
  });

  it('allowed lateness: late-but-allowed elements re-fire with updated results; state is cleared afterwards', async () => {
    const h = await windowHarness(tumbling(10), 'reduce', { reduce: sum }, { lateness: 5, lateTag: 'late' }).open();
    h.processElement({ k: 'a', v: 1 }, 5).processWatermark(9);
    expect(h.records()).toEqual([{ k: 'a', v: 1 }]);
    h.processElement({ k: 'a', v: 2 }, 6); // watermark 9 < 9 + 5: allowed → fires again immediately
    expect(h.records()).toEqual([{ k: 'a', v: 1 }, { k: 'a', v: 3 }]);
    h.processWatermark(14); // cleanup time 9 + 5 = 14
    h.processElement({ k: 'a', v: 4 }, 7);
    expect(h.sideOutput('late')).toEqual([{ k: 'a', v: 4 }]);
    expect(h.records()).toHaveLength(2);
    expect(h.snapshot().keyed?.groups).toEqual({});
  });

  it('sliding windows: each element counts in size/slide windows', async () => {
    const counter: AggregateFunction<Ev, number, number> = { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
    const h = await windowHarness({ type: 'sliding', eventTime: true, size: 10, slide: 5, offset: 0 }, 'aggregate', {
      aggregate: counter,
      windowFn: {
        process(key: string, ctx: WindowContext<TimeWindow>, els: readonly number[], out: Collector<string>) {
          out.collect(`${key}@${ctx.window.start}:${els[0]}`);
        },
      } satisfies ProcessWindowFunction<number, string, string>,
    }).open();
    for (const ts of [0, 4, 5, 9, 12]) h.processElement({ k: 'x', v: 0 }, ts);
    h.processWatermark(Number.POSITIVE_INFINITY);
    // Independent count: window [s, s+10) for s in {-5, 0, 5, 10}.
    const expected = [-5, 0, 5, 10].map((s) => `x@${s}:${[0, 4, 5, 9, 12].filter((t) => t >= s && t < s + 10).length}`);
    expect(h.records()).toEqual(expected);
  });

  it('session windows merge (including out-of-order bridging elements) and fire once per session', async () => {
    const h = await windowHarness({ type: 'session', eventTime: true, gap: 10 }, 'process', {
      windowFn: {
        process(key: string, ctx: WindowContext<TimeWindow>, els: readonly Ev[], out: Collector<string>) {
          out.collect(`${key}[${ctx.window.start},${ctx.window.end}):${els.map((e) => e.v).sort((a, b) => a - b).join(',')}`);
        },
      },
    }).open();
    h.processElement({ k: 'a', v: 1 }, 0);
    h.processElement({ k: 'a', v: 3 }, 30); // separate session
    h.processElement({ k: 'a', v: 2 }, 15); // [15,25) touches neither [0,10) nor [30,40)? 15 > 10 and 25 < 30 → separate
    h.processElement({ k: 'a', v: 4 }, 10); // [10,20) touches [0,10) and [15,25) → merges them
    h.processElement({ k: 'b', v: 9 }, 5);
    h.processWatermark(Number.POSITIVE_INFINITY);
    expect(h.records().sort()).toEqual(['a[0,25):1,2,4', 'a[30,40):3', 'b[5,15):9'].sort());
  });

  it('session windows with aggregate use merge()', async () => {
    const avg: AggregateFunction<Ev, [number, number], number> = {
      createAccumulator: () => [0, 0],
      add: (e, [s, n]) => [s + e.v, n + 1],
      getResult: ([s, n]) => s / n,
      merge: ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2],
    };
    const h = await windowHarness({ type: 'session', eventTime: true, gap: 5 }, 'aggregate', { aggregate: avg }).open();
    h.processElement({ k: 'a', v: 2 }, 0).processElement({ k: 'a', v: 4 }, 8).processElement({ k: 'a', v: 6 }, 4);
    h.processWatermark(100);
    expect(h.recordsWithTimestamps()).toEqual([[4, 12]]);
  });

  it('processing-time windows fire on processing time and on end of input', async () => {
    let now = 0;
    const h = await windowHarness({ type: 'tumbling', eventTime: false, size: 10, offset: 0 }, 'reduce', { reduce: sum }, { clock: () => now }).open();
    h.processElement({ k: 'a', v: 1 });
    now = 5;
    h.processElement({ k: 'a', v: 2 });
    now = 12;
    h.processElement({ k: 'a', v: 10 });
    h.advanceProcessingTime(12);
    expect(h.records()).toEqual([{ k: 'a', v: 3 }]);
    await h.finish();
    expect(h.records()).toEqual([{ k: 'a', v: 3 }, { k: 'a', v: 10 }]);
  });

  it('snapshot → restore (window contents and timers) continues identically, also at another parallelism', async () => {
    const events: [Ev, number][] = [];
    for (let i = 0; i < 200; i++) events.push([{ k: `k${i % 13}`, v: i }, (i * 7) % 50]);
    const ref = await windowHarness(tumbling(10), 'reduce', { reduce: sum }).open();
    for (const [e, ts] of events) ref.processElement(e, ts);
    ref.processWatermark(Number.POSITIVE_INFINITY);
    const expected = ref.recordsWithTimestamps().map(([v, t]) => `${JSON.stringify(v)}@${t}`).sort();

    const first = await windowHarness(tumbling(10), 'reduce', { reduce: sum }).open();
    for (const [e, ts] of events.slice(0, 120)) first.processElement(e, ts);
    const snap = first.snapshot();
    const { redistributeKeyedState } = await import('../state/state-redistribution');
    const parts = redistributeKeyedState([snap.keyed], 128, 3);
    const outputs: string[] = [];
    const harnesses = await Promise.all(
      parts.map(async (keyed, i) => {
        const h = new OperatorTestHarness({
          kind: 'window',
          keyed: true,
          subtaskIndex: i,
          parallelism: 3,
          config: { assigner: tumbling(10), allowedLateness: 0, lateTag: null, function: 'reduce', hasWindowFunction: false },
          functions: { reduce: sum, keySelectors: [(e: Ev) => e.k] },
        });
        return h.open({ operatorUid: 'w', subtaskIndex: i, keyed });
      }),
    );
    const { assignKeyToParallelOperator } = await import('../../core/key-group.assignment');
    for (const [e, ts] of events.slice(120)) harnesses[assignKeyToParallelOperator(e.k, 128, 3)].processElement(e, ts);
    for (const h of harnesses) {
      h.processWatermark(Number.POSITIVE_INFINITY);
      outputs.push(...h.recordsWithTimestamps().map(([v, t]) => `${JSON.stringify(v)}@${t}`));
    }
    expect(outputs.sort()).toEqual(expected);
  });
  it('restores a savepoint of the earlier format (a row per window, every timer a "start:end" timer row)', async () => {
    // What the earlier operator wrote for key "a" after elements 1 and 2 at 3 and 4 at 13 (tumbling 10,
    // allowed lateness 5): windows [0,10) = 3 and [10,20) = 4, fire timers at end - 1, cleanup at end - 1 + 5.
    const { assignToKeyGroup } = await import('../../core/key-group.assignment');
    const kg = assignToKeyGroup('a', 128);
    const old = {
      groups: {
        [kg]: {
          tables: { 'window-contents': { kind: 'internal', rows: [['a', '0:10', { k: 'a', v: 3 }], ['a', '10:20', { k: 'a', v: 4 }]] as [unknown, string, unknown][] } },
          timers: [
            { domain: 'event-time' as const, key: 'a', namespace: '0:10', timestamp: 9 },
            { domain: 'event-time' as const, key: 'a', namespace: '0:10', timestamp: 14 },
            { domain: 'event-time' as const, key: 'a', namespace: '10:20', timestamp: 19 },
            { domain: 'event-time' as const, key: 'a', namespace: '10:20', timestamp: 24 },
          ],
        },
      },
    };
    const h = new OperatorTestHarness({
      kind: 'window',
      keyed: true,
      config: { assigner: tumbling(10), allowedLateness: 5, lateTag: null, function: 'reduce', hasWindowFunction: false },
      functions: { reduce: sum, keySelectors: [(e: Ev) => e.k] },
    });
    await h.open({ operatorUid: 'w', subtaskIndex: 0, keyed: old });
    h.processWatermark(9);
    expect(h.records()).toEqual([{ k: 'a', v: 3 }]);
    // Late but allowed: [0,10) fires again with the update; its cleanup timer (14) is restored too.
    h.processElement({ k: 'a', v: 10 }, 5);
    h.processWatermark(14);
    h.processElement({ k: 'a', v: 100 }, 6); // past the lateness: dropped
    // A snapshot in the current format restores the rest: [10,20) with 4 + 5.
    h.processElement({ k: 'a', v: 5 }, 15);
    const again = new OperatorTestHarness(h.options);
    await again.open({ operatorUid: 'w', subtaskIndex: 0, keyed: h.snapshot().keyed });
    again.processWatermark(Number.POSITIVE_INFINITY);
    expect(h.records()).toEqual([{ k: 'a', v: 3 }, { k: 'a', v: 13 }]);
    expect(again.records()).toEqual([{ k: 'a', v: 9 }]);
  });
});
