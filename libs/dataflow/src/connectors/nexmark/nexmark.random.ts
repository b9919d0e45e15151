/**
 * Seeded per-event randomness. Like the Nexmark reference (`new Random(eventId)`), every event
 * draws from its own stream seeded by (seed, eventId), so an event does not depend on which
 * events were generated before it: splitting the id space across subtasks, or resuming from a
 * checkpointed position, yields exactly the same events.
 */

const TWO_POW_32 = 4294967296;

/** murmur3 fmix32 finaliser: spreads nearby ids into unrelated seeds. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32, reseedable in place so the generator allocates nothing per event. */
export class EventRandom {
  private state = 0;

  reset(seed: number, eventId: number): void {
    const lo = eventId >>> 0;
    const hi = Math.floor(eventId / TWO_POW_32) >>> 0;
    this.state = fmix32((seed >>> 0) ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2f));
  }

  /** Uniform in [0, 1). */
  nextDouble(): number {
    let a = (this.state = (this.state + 0x6d2b79f5) | 0);
    a = Math.imul(a ^ (a >>> 15), 1 | a);
    a = (a + Math.imul(a ^ (a >>> 7), 61 | a)) ^ a;
    return ((a ^ (a >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }
}
