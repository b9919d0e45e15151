import {
  AuctionEvent,
  BidEvent,
  generateNexmarkEvents,
  NexmarkConfigError,
  NexmarkEvent,
  NexmarkSplitGenerator,
  PersonEvent,
  resolveNexmarkConfig,
  nexmarkEventAt,
  NexmarkSource,
} from './index';

const EVENTS = 20_000;
const base = { events: EVENTS, rate: 1000, seed: 7, baseTime: 1_700_000_000_000 };

/** Deep equality of large event arrays via their JSON text: jest's toEqual is slow at this size. */
const text = (events: readonly NexmarkEvent[]): string => JSON.stringify(events);

function ofType<T extends NexmarkEvent['type']>(events: NexmarkEvent[], type: T): Extract<NexmarkEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<NexmarkEvent, { type: T }>[];
}

describe('Nexmark generator', () => {
  const events = generateNexmarkEvents(base);

  it('is deterministic by seed and differs across seeds', () => {
    expect(text(generateNexmarkEvents(base))).toBe(text(events));
    const other = generateNexmarkEvents({ ...base, seed: 8 });
    expect(text(other)).not.toBe(text(events));
    // The kind of each event depends on its id only.
    expect(other.map((e) => e.type)).toEqual(events.map((e) => e.type));
  });

  it('mixes person:auction:bid as 1:3:46 by eventId % 50', () => {
    expect(events).toHaveLength(EVENTS);
    const misplaced = events.filter((e, i) => e.type !== (i % 50 < 1 ? 'person' : i % 50 < 4 ? 'auction' : 'bid'));
    expect(misplaced).toEqual([]);
    expect(ofType(events, 'person')).toHaveLength(EVENTS / 50);
    expect(ofType(events, 'auction')).toHaveLength((EVENTS / 50) * 3);
  });

  it('numbers persons and auctions consecutively from 1000', () => {
    expect(ofType(events, 'person').map((p) => p.id)).toEqual(Array.from({ length: EVENTS / 50 }, (_, i) => 1000 + i));
    expect(ofType(events, 'auction').map((a) => a.id)).toEqual(Array.from({ length: (EVENTS / 50) * 3 }, (_, i) => 1000 + i));
  });

  it('advances event time at the configured rate from the base time', () => {
    expect(events.map((e) => e.dateTime)).toEqual(events.map((_, i) => base.baseTime + Math.floor((i * 1000) / base.rate)));
    const fast = generateNexmarkEvents({ ...base, events: 100, rate: 50_000 });
    expect(fast[99].dateTime).toBe(base.baseTime + 1);
  });

  it('produces realistic field values', () => {
    const persons: PersonEvent[] = ofType(events, 'person');
    const states = new Set(persons.map((p) => p.state));
    for (const s of ['OR', 'ID', 'CA']) expect(states.has(s)).toBe(true);
    const badPersons = persons.filter(
      (p) =>
        !/^[A-Z][a-z]+ [A-Z][a-z]+$/.test(p.name) ||
        !/^[a-z ]*[a-z]@[a-z ]*[a-z]?\.com$/.test(p.emailAddress) ||
        !/^\d{4} \d{4} \d{4} \d{4}$/.test(p.creditCard) ||
        p.city.length === 0,
    );
    expect(badPersons).toEqual([]);
    const auctions: AuctionEvent[] = ofType(events, 'auction');
    const categories = new Set(auctions.map((a) => a.category));
    expect([...categories].sort()).toEqual([10, 11, 12, 13, 14]);
    const maxPersonId = 1000 + persons.length - 1;
    const badAuctions = auctions.filter(
      (a) => !(a.expires > a.dateTime && a.reserve >= a.initialBid && a.seller >= 1000 && a.seller <= maxPersonId + 10 && Number.isInteger(a.initialBid)),
    );
    expect(badAuctions).toEqual([]);
    const bids: BidEvent[] = ofType(events, 'bid');
    const badBids = bids.filter(
      (b) => !(b.price >= 100 && b.price <= 100_000_000 && /^https:\/\/www\.nexmark\.com\//.test(b.url) && b.channel.length > 0),
    );
    expect(badBids).toEqual([]);
    expect(Object.keys(bids[0])).toEqual(['type', 'auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
  });

  it('lets bids and auctions reference existing, recent entities so joins match', () => {
    const auctionIds = new Set(ofType(events, 'auction').map((a) => a.id));
    const personIds = new Set(ofType(events, 'person').map((p) => p.id));
    const bids = ofType(events, 'bid');
    const bidsOnKnownAuctions = bids.filter((b) => auctionIds.has(b.auction)).length;
    const bidsByKnownPersons = bids.filter((b) => personIds.has(b.bidder)).length;
    expect(bidsOnKnownAuctions / bids.length).toBeGreaterThan(0.9);
    expect(bidsByKnownPersons / bids.length).toBeGreaterThan(0.9);
    const sellersKnown = ofType(events, 'auction').filter((a) => personIds.has(a.seller)).length;
    expect(sellersKnown / (EVENTS / 50) / 3).toBeGreaterThan(0.9);
    // Hot keys: a few auctions get many bids.
    const perAuction = new Map<number, number>();
    for (const b of bids) perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    expect(Math.max(...perAuction.values())).toBeGreaterThan(100);
  });

  it('splits across subtasks into slices whose union is the whole stream', () => {
    for (const parallelism of [1, 3, 4]) {
      const merged: NexmarkEvent[] = new Array(EVENTS);
      for (let subtask = 0; subtask < parallelism; subtask++) {
        const slice = generateNexmarkEvents({ ...base, subtask, parallelism });
        slice.forEach((e, k) => (merged[subtask + k * parallelism] = e));
      }
      expect(text(merged)).toBe(text(events));
    }
  });

  it('resumes from a checkpointed position with the same events', () => {
    const first = new NexmarkSplitGenerator(base, { subtask: 1, parallelism: 4 });
    const taken: NexmarkEvent[] = [];
    first.nextBatch(taken, 10);
    const position = first.position;
    expect(position).toBe(1 + 10 * 4);
    const resumed = new NexmarkSplitGenerator(base, { subtask: 1, parallelism: 4, position });
    const rest: NexmarkEvent[] = [];
    while (resumed.hasNext()) rest.push(resumed.next() as NexmarkEvent);
    expect(resumed.next()).toBeUndefined();
    expect(text([...taken, ...rest])).toBe(text(generateNexmarkEvents({ ...base, subtask: 1, parallelism: 4 })));
    expect(nexmarkEventAt(resolveNexmarkConfig(base), position)).toEqual(rest[0]);
  });

  it('rejects invalid configuration with a coded error', () => {
    expect(() => generateNexmarkEvents({ ...base, rate: 0 })).toThrow(NexmarkConfigError);
    expect(() => new NexmarkSplitGenerator(base, { subtask: 4, parallelism: 4 })).toThrow(NexmarkConfigError);
    expect(() => new NexmarkSplitGenerator(base, { subtask: 1, parallelism: 4, position: 2 })).toThrow(/does not belong/);
    expect(() => generateNexmarkEvents({ ...base, events: Infinity })).toThrow(NexmarkConfigError);
    try {
      resolveNexmarkConfig({ events: -1 });
    } catch (e) {
      expect((e as NexmarkConfigError).code).toBe('NEXMARK_CONFIG_INVALID');
    }
  });
});

describe('NexmarkSource', () => {
  it('reads each subtask slice in batches, ends with null and restores from its position', () => {
    const source = new NexmarkSource({ ...base, events: 1000 });
    expect(source.boundedness).toBe('bounded');
    expect(source.describe()).toEqual({ connector: 'nexmark', ...base, events: 1000 });
    const reader = source.createReader({ subtaskIndex: 2, parallelism: 3 });
    const first = reader.pollBatch(100) as NexmarkEvent[];
    expect(first).toHaveLength(100);
    const position = reader.position();
    const rest: NexmarkEvent[] = [];
    for (let b = reader.pollBatch(64); b !== null; b = reader.pollBatch(64)) rest.push(...(b as NexmarkEvent[]));
    expect([...first, ...rest]).toEqual(generateNexmarkEvents({ ...base, events: 1000, subtask: 2, parallelism: 3 }));
    const again = source.createReader({ subtaskIndex: 2, parallelism: 3 });
    again.restore(position);
    expect(again.pollBatch(rest.length + 10)).toEqual(rest);
    expect(again.pollBatch(10)).toBeNull();
    expect(new NexmarkSource({ events: Infinity }).boundedness).toBe('continuous');
  });
});
