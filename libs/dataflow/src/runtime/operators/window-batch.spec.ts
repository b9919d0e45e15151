/**
 * The window operator's batch path (processBatch, what a task calls) against a brute-force model
 * of event-time windows: every record counted in each of its windows that was not past its
 * allowed lateness when it arrived, a window's result emitted when the watermark passes its end
 * (and again for each late-but-allowed record), records late for all their windows on the side
 * output. Tumbling, sliding with panes (aggregate with merge) and sliding without (reduce).
 */
import { OperatorTestHarness } from '../operator-test.harness';
import type { AggregateFunction } from '../../api/functions.types';
import type { WindowAssignerConfig } from '../../time/window-assigner.types';
import { EventRandom } from '../../connectors/nexmark/nexmark.random';

interface Ev {
  k: number;
  v: number;
}

/** Deterministic pseudo-random numbers in [0, 1): the Nexmark generator's seeded stream. */
function rng(seed: number): () => number {
  const r = new EventRandom();
  r.reset(seed, 0);
  return () => r.nextDouble();
}

type Step = { batch: Ev[]; timestamps: number[] } | { watermark: number };

/** Batches of out-of-order records (some far behind the watermark), a rising watermark between them. */
function workload(seed: number): Step[] {
  const r = rng(seed);
  const steps: Step[] = [];
  let now = 1_000;
  for (let b = 0; b < 60; b++) {
    const n = 1 + Math.floor(r() * 40);
    const batch: Ev[] = [];
    const timestamps: number[] = [];
    for (let i = 0; i < n; i++) {
      batch.push({ k: Math.floor(r() * 7), v: 1 + Math.floor(r() * 9) });
      timestamps.push(now - Math.floor(r() * (r() < 0.1 ? 60 : 12)));
    }
    steps.push({ batch, timestamps });
    now += Math.floor(r() * 8);
    if (r() < 0.5) steps.push({ watermark: now - 10 });
  }
  steps.push({ watermark: now + 1_000 });
  return steps;
}

/** Starts of the windows [s, s + size) that contain t (slide = size: tumbling). */
function windowsOf(t: number, size: number, slide: number): number[] {
  const out: number[] = [];
  for (let s = t - (((t % slide) + slide) % slide); s > t - size; s -= slide) out.push(s);
  return out;
}

/**
 * What the operator must emit: "key@start:sum" per fire, grouped by the watermark they come before
 * (within a group the operator's order of keys is its own), and the late records' values.
 */
function model(steps: Step[], size: number, slide: number, lateness: number): { fired: string[][]; late: number[] } {
  const sums = new Map<string, number>();
  const fired: string[][] = [[]];
  const late: number[] = [];
  let wm = Number.NEGATIVE_INFINITY;
  for (const step of steps) {
    if ('watermark' in step) {
      // A watermark that does not advance is dropped (and not forwarded).
      if (step.watermark <= wm) continue;
      const due = [...sums.keys()].map((id) => id.split('@').map(Number)).filter(([, s]) => s + size - 1 > wm && s + size - 1 <= step.watermark);
      for (const [k, s] of due) fired[fired.length - 1].push(`${k}@${s}:${sums.get(`${k}@${s}`)}`);
      fired.push([]);
      wm = step.watermark;
      continue;
    }
    step.batch.forEach((e, i) => {
      let counted = false;
      for (const s of windowsOf(step.timestamps[i], size, slide)) {
        if (s + size - 1 + lateness <= wm) continue;
        counted = true;
        const id = `${e.k}@${s}`;
        sums.set(id, (sums.get(id) ?? 0) + e.v);
        if (s + size - 1 <= wm) fired[fired.length - 1].push(`${id}:${sums.get(id)}`);
      }
      if (!counted) late.push(e.v);
    });
  }
  return { fired, late };
}

const sumAgg: AggregateFunction<Ev, { k: number; v: number }, { k: number; v: number }> = {
  createAccumulator: () => ({ k: -1, v: 0 }),
  add: (e, acc) => ({ k: e.k, v: acc.v + e.v }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ k: Math.max(a.k, b.k), v: a.v + b.v }),
};

function harness(assigner: WindowAssignerConfig, fn: 'aggregate' | 'reduce', lateness: number) {
  return new OperatorTestHarness({
    kind: 'window',
    keyed: true,
    config: { assigner, allowedLateness: lateness, lateTag: 'late', function: fn, hasWindowFunction: true },
    functions: {
      aggregate: sumAgg,
      reduce: (a: Ev, b: Ev) => ({ k: a.k, v: a.v + b.v }),
      keySelectors: [(e: Ev) => e.k],
      windowFn: {
        process(key: number, ctx: { window: { start: number } }, results: readonly Ev[], out: { collect(v: string): void }) {
          out.collect(`${key}@${ctx.window.start}:${results[0].v}`);
        },
      },
    },
  });
}

const cases: { name: string; assigner: WindowAssignerConfig; fn: 'aggregate' | 'reduce'; size: number; slide: number }[] = [
  { name: 'tumbling', assigner: { type: 'tumbling', eventTime: true, size: 10, offset: 0 }, fn: 'aggregate', size: 10, slide: 10 },
  { name: 'sliding, panes', assigner: { type: 'sliding', eventTime: true, size: 10, slide: 4, offset: 0 }, fn: 'aggregate', size: 10, slide: 4 },
  { name: 'sliding, windows (reduce)', assigner: { type: 'sliding', eventTime: true, size: 10, slide: 4, offset: 0 }, fn: 'reduce', size: 10, slide: 4 },
];

/** The operator's fires, grouped like the model's: a group ends at each watermark it emits. */
function firesByWatermark(h: OperatorTestHarness): string[][] {
  const out: string[][] = [[]];
  for (const e of h.events) {
    if (e.type === 'watermark') out.push([]);
    else if (e.type === 'record') out[out.length - 1].push(e.value as string);
  }
  return out;
}

describe('WindowOperator.processBatch', () => {
  for (const c of cases) {
    for (const lateness of [0, 6]) {
      it(`${c.name}, allowed lateness ${lateness}: what the model says, and what record-at-a-time input gives`, async () => {
        for (const seed of [1, 2, 3]) {
          const steps = workload(seed);
          const batched = await harness(c.assigner, c.fn, lateness).open();
          const single = await harness(c.assigner, c.fn, lateness).open();
          for (const step of steps) {
            if ('watermark' in step) {
              batched.processWatermark(step.watermark);
              single.processWatermark(step.watermark);
            } else {
              batched.processBatch(step.batch, step.timestamps);
              step.batch.forEach((e, i) => single.processElement(e, step.timestamps[i]));
            }
          }
          const expected = model(steps, c.size, c.slide, lateness);
          const sorted = (groups: string[][]) => groups.map((g) => [...g].sort());
          expect(sorted(firesByWatermark(batched))).toEqual(sorted(expected.fired));
          expect(batched.sideOutput('late').map((e) => (e as Ev).v)).toEqual(expected.late);
          expect(batched.events).toEqual(single.events);
          // The workload exercises what it is meant to: many fires, late records, re-fires.
          const fires = expected.fired.flat();
          expect(fires.length).toBeGreaterThan(50);
          expect(expected.late.length).toBeGreaterThan(0);
          if (lateness > 0) expect(fires.length).toBeGreaterThan(new Set(fires.map((f) => f.split(':')[0])).size);
        }
      });
    }
  }

  it('a record without a timestamp fails the batch with the reason', async () => {
    const h = await harness(cases[0].assigner, 'aggregate', 0).open();
    expect(() => h.processBatch([{ k: 1, v: 1 }], [Number.NEGATIVE_INFINITY])).toThrow(/without timestamp/);
  });
});
