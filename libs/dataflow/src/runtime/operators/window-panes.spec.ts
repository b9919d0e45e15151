/**
 * Sliding windows aggregated by panes, checked against brute-force counts over every window, and
 * their snapshots: mid-stream restore at another parallelism, and restoring the per-window state
 * the earlier implementation wrote (savepoint compatibility).
 */
import { OperatorTestHarness } from '../operator-test.harness';
import type { AggregateFunction, Collector, WindowContext } from '../../api/functions.types';
import type { TimeWindow } from '../../time/time-window';
import type { WindowAssignerConfig } from '../../time/window-assigner.types';
import { assignKeyToParallelOperator, assignToKeyGroup } from '../../core/key-group.assignment';
import { redistributeKeyedState } from '../state/state-redistribution';
import type { KeyedStateSnapshot } from '../state/state-snapshot.types';

interface Ev {
  k: string;
  v: number;
}
const counter: AggregateFunction<Ev, number, number> = { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
const label = {
  process(key: string, ctx: WindowContext<TimeWindow>, els: readonly number[], out: Collector<string>) {
    out.collect(`${key}[${ctx.window.start},${ctx.window.end}):${els[0]}`);
  },
};
const sliding = (size: number, slide: number, offset = 0): WindowAssignerConfig => ({ type: 'sliding', eventTime: true, size, slide, offset });

function harness(assigner: WindowAssignerConfig, opts: { lateness?: number; subtaskIndex?: number; parallelism?: number } = {}) {
  return new OperatorTestHarness({
    kind: 'window',
    keyed: true,
    subtaskIndex: opts.subtaskIndex,
    parallelism: opts.parallelism,
    config: { assigner, allowedLateness: opts.lateness ?? 0, lateTag: 'late', function: 'aggregate', hasWindowFunction: true },
    functions: { aggregate: counter, windowFn: label, keySelectors: [(e: Ev) => e.k] },
  });
}

/** Every window [s, s + size), s ≡ offset (mod slide), with its count per key: independent of the operator. */
function bruteForce(events: [Ev, number][], size: number, slide: number, offset = 0): string[] {
  const out: string[] = [];
  const keys = [...new Set(events.map(([e]) => e.k))];
  const times = events.map(([, t]) => t);
  const lo = Math.min(...times) - size;
  const hi = Math.max(...times);
  for (const k of keys) {
    for (let s = lo - (((lo - offset) % slide) + slide) % slide; s <= hi; s += slide) {
      const n = events.filter(([e, t]) => e.k === k && t >= s && t < s + size).length;
      if (n > 0) out.push(`${k}[${s},${s + size}):${n}`);
    }
  }
  return out.sort();
}

function randomEvents(n: number, seed: number): [Ev, number][] {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  return Array.from({ length: n }, (_, i) => [{ k: `k${next() % 7}`, v: i }, (next() % 60) - 10] as [Ev, number]);
}

describe('WindowOperator, sliding windows by panes', () => {
  it.each([
    [10, 5, 0],
    [10, 4, 0], // pane = gcd = 2
    [9, 3, 1], // offset
    [12, 8, -3],
  ])('size %d, slide %d, offset %d: counts of out-of-order elements equal a brute-force count', async (size, slide, offset) => {
    const events = randomEvents(300, size * 31 + slide);
    const h = await harness(sliding(size, slide, offset)).open();
    for (const [e, ts] of events) h.processElement(e, ts);
    h.processWatermark(Number.POSITIVE_INFINITY);
    expect((h.records() as string[]).sort()).toEqual(bruteForce(events, size, slide, offset));
  });

  it('allowed lateness: late-but-allowed elements re-fire each affected window; too late ones go to the side output', async () => {
    const h = await harness(sliding(10, 5), { lateness: 5 }).open();
    h.processElement({ k: 'a', v: 0 }, 3).processWatermark(4);
    expect(h.records()).toEqual(['a[-5,5):1']);
    h.processElement({ k: 'a', v: 0 }, 2); // [-5,5) fired but is allowed until 9: fires again
    expect(h.records()).toEqual(['a[-5,5):1', 'a[-5,5):2']);
    h.processWatermark(9); // fires [0,10); [-5,5) is cleared
    h.processElement({ k: 'a', v: 0 }, 1); // [-5,5) too late, [0,10) fired but allowed: fires again
    expect(h.records()).toEqual(['a[-5,5):1', 'a[-5,5):2', 'a[0,10):2', 'a[0,10):3']);
    h.processWatermark(14);
    h.processElement({ k: 'a', v: 0 }, 1); // every window of it is past its lateness
    expect(h.sideOutput('late')).toEqual([{ k: 'a', v: 0 }]);
    expect(h.snapshot().keyed?.groups).toEqual({});
  });

  it('snapshot mid-stream → restore at parallelism 3 continues with the same answer', async () => {
    const events = randomEvents(400, 99).sort((a, b) => a[1] - b[1]);
    const first = await harness(sliding(10, 4)).open();
    for (const [e, ts] of events.slice(0, 250)) first.processElement(e, ts);
    first.processWatermark(events[249][1] - 3);
    const before = first.records() as string[];
    const snap = first.snapshot();
    const tables = new Set(Object.values(snap.keyed!.groups).flatMap((g) => Object.keys(g.tables)));
    expect([...tables].sort()).toEqual(['window-panes']);
    // One row of columns per key group, holding the panes and the aligned timers of its keys only.
    for (const [kg, g] of Object.entries(snap.keyed!.groups)) {
      const rows = g.tables['window-panes'].rows;
      expect(rows.map(([key, ns]) => [key, ns])).toEqual([[null, '#']]);
      const keys = (rows[0][2] as { keys: unknown[] }).keys;
      for (const key of keys) expect(assignToKeyGroup(key, 128)).toBe(Number(kg));
      expect(new Set(keys).size).toBe(keys.length);
      expect(g.timers).toBeUndefined();
    }

    const parts = redistributeKeyedState([snap.keyed], 128, 3);
    const hs = await Promise.all(parts.map((keyed, i) => harness(sliding(10, 4), { subtaskIndex: i, parallelism: 3 }).open({ operatorUid: 'w', subtaskIndex: i, keyed })));
    for (const [e, ts] of events.slice(250)) hs[assignKeyToParallelOperator(e.k, 128, 3)].processElement(e, ts);
    const after = hs.flatMap((h) => {
      h.processWatermark(Number.POSITIVE_INFINITY);
      return h.records() as string[];
    });
    expect([...before, ...after].sort()).toEqual(bruteForce(events, 10, 4));
  });

  it('restores the previous layout (a row per key, aligned timers in "window-timers" rows per key and kind)', async () => {
    // What the previous version wrote for key "a" after elements at 3 and 7 (size 10, slide 5):
    // panes [0,5) = 1 and [5,10) = 1, fire timers of windows [-5,5), [0,10), [5,15) at end - 1.
    const kg = assignToKeyGroup('a', 128);
    const old: KeyedStateSnapshot = {
      groups: {
        [kg]: {
          tables: {
            'window-panes': { kind: 'internal', rows: [['a', '*', [[0, 5], [5, 10], [1, 1]]]] },
            'window-timers': { kind: 'internal', rows: [['a', 'fire', [4, 9, 14]]] },
          },
        },
      },
    };
    const h = await harness(sliding(10, 5)).open({ operatorUid: 'w', subtaskIndex: 0, keyed: old });
    h.processElement({ k: 'a', v: 0 }, 8).processElement({ k: 'a', v: 0 }, 12);
    const again = await harness(sliding(10, 5)).open({ operatorUid: 'w', subtaskIndex: 0, keyed: h.snapshot().keyed });
    for (const x of [h, again]) x.processWatermark(Number.POSITIVE_INFINITY);
    // [-5,5) fires only by its restored timer: no later element falls in it.
    const expected = bruteForce([3, 7, 8, 12].map((t) => [{ k: 'a', v: 0 }, t] as [Ev, number]), 10, 5);
    expect(expected).toContain('a[-5,5):1');
    expect((h.records() as string[]).sort()).toEqual(expected);
    expect((again.records() as string[]).sort()).toEqual(expected);
  });

  it('restores the per-window state of the earlier implementation (savepoint format: window-contents rows, "start:end" timers)', async () => {
    // What the per-window operator wrote for key "a" after elements at 3 and 7 (size 10, slide 5):
    // windows [-5,5) = 1, [0,10) = 2, [5,15) = 1, each with its event-time timer at end - 1.
    const kg = assignToKeyGroup('a', 128);
    const rows: [unknown, string, unknown][] = [
      ['a', '-5:5', 1],
      ['a', '0:10', 2],
      ['a', '5:15', 1],
    ];
    const old: KeyedStateSnapshot = {
      groups: {
        [kg]: {
          tables: { 'window-contents': { kind: 'internal', rows } },
          timers: rows.map(([key, ns]) => ({ domain: 'event-time' as const, key, namespace: ns, timestamp: Number(ns.split(':')[1]) - 1 })),
        },
      },
    };
    const h = await harness(sliding(10, 5)).open({ operatorUid: 'w', subtaskIndex: 0, keyed: old });
    h.processElement({ k: 'a', v: 0 }, 8).processElement({ k: 'a', v: 0 }, 12);
    // A snapshot now keeps the restored windows beside the new panes, and restores again.
    const again = await harness(sliding(10, 5)).open({ operatorUid: 'w', subtaskIndex: 0, keyed: h.snapshot().keyed });
    for (const x of [h, again]) x.processWatermark(Number.POSITIVE_INFINITY);
    const expected = bruteForce([3, 7, 8, 12].map((t) => [{ k: 'a', v: 0 }, t] as [Ev, number]), 10, 5);
    expect((h.records() as string[]).sort()).toEqual(expected);
    expect((again.records() as string[]).sort()).toEqual(expected);
  });
});
