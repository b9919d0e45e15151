// The out-of-order option: expected properties are computed here from the emitted events (the
// running maximum, each event's nominal in-order time), not from the generator's delay function.
import { generateNexmarkEvents, NexmarkConfigError, NexmarkEvent, NexmarkSource, resolveNexmarkConfig } from './index';

const EVENTS = 20_000;
const RATE = 1000;
const BASE_TIME = 1_700_000_000_000;
const N = 3000;
const BOUND = 1000;
const LATE_FRACTION = 0.1;
const inOrder = { events: EVENTS, rate: RATE, seed: 7, baseTime: BASE_TIME };
const outOfOrder = { ...inOrder, outOfOrdernessMs: N, watermarkBoundMs: BOUND, lateFraction: LATE_FRACTION };

/** Event time event i has in order: `rate` per second from the base time. */
const nominal = (i: number): number => BASE_TIME + Math.floor((i * 1000) / RATE);

/** How far each event's timestamp trails the maximum timestamp emitted before or with it. */
function lagsBehindRunningMax(events: readonly NexmarkEvent[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  return events.map((e) => {
    if (e.dateTime > max) max = e.dateTime;
    return max - e.dateTime;
  });
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Nexmark generator out of order', () => {
  const ordered = generateNexmarkEvents(inOrder);
  const shuffled = generateNexmarkEvents(outOfOrder);

  it('is in order by default', () => {
    expect(ordered.map((e) => e.dateTime)).toEqual(ordered.map((_e, i) => nominal(i)));
    expect(lagsBehindRunningMax(ordered).every((lag) => lag === 0)).toBe(true);
  });

  it('moves only dateTime back, by at most outOfOrdernessMs', () => {
    const delays = shuffled.map((e, i) => nominal(i) - e.dateTime);
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(N);
    expect(Math.max(...delays)).toBeGreaterThan(N - 50);
    // Everything but the timestamp is the in-order event.
    const strip = (e: NexmarkEvent) => JSON.stringify({ ...e, dateTime: 0 });
    expect(shuffled.map(strip)).toEqual(ordered.map(strip));
  });

  it('delays lateFraction of the events beyond the bound, uniformly, the rest within it', () => {
    const delays = shuffled.map((e, i) => nominal(i) - e.dateTime);
    const beyond = delays.filter((d) => d > BOUND);
    const within = delays.filter((d) => d <= BOUND);
    // Binomial(20 000, 0.1): standard deviation 42 events; 5 of them either side.
    expect(beyond.length).toBeGreaterThan(EVENTS * LATE_FRACTION - 210);
    expect(beyond.length).toBeLessThan(EVENTS * LATE_FRACTION + 210);
    // Uniform in (1000, 3000] has mean 2000.5; in [0, 1000] mean 500.
    expect(Math.abs(mean(beyond) - (BOUND + 1 + N) / 2)).toBeLessThan(60);
    expect(Math.abs(mean(within) - BOUND / 2)).toBeLessThan(15);
  });

  it('emits timestamps up to outOfOrdernessMs behind the running max, some beyond the watermark bound', () => {
    const lags = lagsBehindRunningMax(shuffled);
    expect(Math.max(...lags)).toBeLessThanOrEqual(N);
    const beyondBound = lags.filter((lag) => lag > BOUND).length;
    // The running max trails the in-order time by a few ms (the least recent delay), so slightly
    // fewer events trail it by more than the bound than were delayed by more than the bound.
    expect(beyondBound).toBeGreaterThan(EVENTS * LATE_FRACTION * 0.8);
    expect(beyondBound).toBeLessThanOrEqual(shuffled.filter((e, i) => nominal(i) - e.dateTime > BOUND).length);
    // Without a late fraction nothing trails the running max by more than the bound.
    const bounded = lagsBehindRunningMax(generateNexmarkEvents({ ...outOfOrder, lateFraction: 0 }));
    expect(Math.max(...bounded)).toBeLessThanOrEqual(BOUND);
    expect(Math.max(...bounded)).toBeGreaterThan(BOUND - 50);
  });

  it('is deterministic by seed, differs across seeds, and splits into the same events', () => {
    const times = (events: readonly NexmarkEvent[]) => events.map((e) => e.dateTime);
    expect(times(generateNexmarkEvents(outOfOrder))).toEqual(times(shuffled));
    expect(times(generateNexmarkEvents({ ...outOfOrder, seed: 8 }))).not.toEqual(times(shuffled));
    const parts = [0, 1, 2].map((subtask) => generateNexmarkEvents({ ...outOfOrder, subtask, parallelism: 3 }));
    const merged: NexmarkEvent[] = [];
    for (let i = 0; i < EVENTS; i++) merged.push(parts[i % 3][Math.floor(i / 3)]);
    expect(JSON.stringify(merged)).toBe(JSON.stringify(shuffled));
  });

  it('describes its out-of-orderness and refuses inconsistent settings', () => {
    expect(new NexmarkSource(outOfOrder).describe()).toEqual({ connector: 'nexmark', ...outOfOrder });
    expect(resolveNexmarkConfig({ events: 1, outOfOrdernessMs: 100 })).toMatchObject({ watermarkBoundMs: 50, lateFraction: 0.05 });
    for (const bad of [
      { outOfOrdernessMs: -1 },
      { outOfOrdernessMs: 1.5 },
      { outOfOrdernessMs: 100, watermarkBoundMs: 101 },
      { outOfOrdernessMs: 100, lateFraction: 1.5 },
      { outOfOrdernessMs: 100, watermarkBoundMs: 100, lateFraction: 0.1 },
    ]) {
      expect(() => resolveNexmarkConfig({ events: 1, ...bad })).toThrow(NexmarkConfigError);
    }
  });
});
