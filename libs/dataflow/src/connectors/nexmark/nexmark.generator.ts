/**
 * The Nexmark event generator as pure functions of (config, eventId), after the reference
 * generator of Beam / Flink nexmark: eventId % 50 picks person (0), auction (1..3) or bid
 * (4..49); person and auction ids start at 1000 and grow with the event id; bids and auctions
 * mostly reference the current "hot" persons and auctions so that joins find partners; event
 * time advances at `rate` events per second from `baseTime`.
 *
 * Every event is computed from its own id only (see nexmark.random.ts), which is what makes
 * `NexmarkGenerator` splittable across subtasks and resumable from a position.
 */
import {
  AUCTION_ID_LEAD,
  AUCTION_PROPORTION,
  AVG_AUCTION_BYTE_SIZE,
  AVG_BID_BYTE_SIZE,
  AVG_PERSON_BYTE_SIZE,
  CHANNELS_NUMBER,
  DEFAULT_BASE_TIME,
  DEFAULT_LATE_FRACTION,
  DEFAULT_RATE,
  DEFAULT_SEED,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_NAMES,
  FIRST_PERSON_ID,
  HOT_AUCTION_BATCH,
  HOT_AUCTION_RATIO,
  HOT_BIDDER_BATCH,
  HOT_BIDDERS_RATIO,
  HOT_CHANNELS,
  HOT_CHANNELS_RATIO,
  HOT_SELLER_BATCH,
  HOT_SELLERS_RATIO,
  LAST_NAMES,
  NUM_ACTIVE_PEOPLE,
  NUM_CATEGORIES,
  NUM_IN_FLIGHT_AUCTIONS,
  PERSON_ID_LEAD,
  PERSON_PROPORTION,
  TOTAL_PROPORTION,
  US_CITIES,
  US_STATES,
} from './nexmark.constants';
import type { AuctionEvent, BidEvent, NexmarkEvent, PersonEvent } from './nexmark-event.types';
import { EventRandom } from './nexmark.random';

export interface NexmarkConfigOptions {
  /** Events in the whole stream (all subtasks together). `Infinity` for an unbounded source. */
  events: number;
  /** Event-time rate in events per second (default 10 000, Nexmark's default). */
  rate?: number;
  seed?: number;
  /** Event time of event 0, epoch ms (default a fixed instant, for reproducible runs). */
  baseTime?: number;
  /**
   * Out-of-order event time (default 0: in order). Each event's `dateTime` is moved back by a
   * seeded delay of at most this many ms, while events are still emitted in id order, so a
   * timestamp trails the running maximum by up to this much.
   */
  outOfOrdernessMs?: number;
  /**
   * The watermark bound the delays are drawn around (default half of `outOfOrdernessMs`): most
   * delays are uniform in [0, bound], a `lateFraction` of them uniform in (bound, outOfOrdernessMs].
   */
  watermarkBoundMs?: number;
  /** Fraction of events delayed beyond `watermarkBoundMs` (default 0.05 when out of order). */
  lateFraction?: number;
}

export interface NexmarkConfig {
  readonly events: number;
  readonly rate: number;
  readonly seed: number;
  readonly baseTime: number;
  readonly outOfOrdernessMs: number;
  readonly watermarkBoundMs: number;
  readonly lateFraction: number;
}

export class NexmarkConfigError extends Error {
  readonly code = 'NEXMARK_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'NexmarkConfigError';
  }
}

export function resolveNexmarkConfig(options: NexmarkConfigOptions): NexmarkConfig {
  const config: NexmarkConfig = {
    events: options.events,
    rate: options.rate ?? DEFAULT_RATE,
    seed: options.seed ?? DEFAULT_SEED,
    baseTime: options.baseTime ?? DEFAULT_BASE_TIME,
    outOfOrdernessMs: options.outOfOrdernessMs ?? 0,
    watermarkBoundMs: options.watermarkBoundMs ?? Math.floor((options.outOfOrdernessMs ?? 0) / 2),
    lateFraction: options.lateFraction ?? (options.outOfOrdernessMs ? DEFAULT_LATE_FRACTION : 0),
  };
  if (!(config.events >= 0) || (Number.isFinite(config.events) && !Number.isInteger(config.events))) {
    throw new NexmarkConfigError(`events must be a non-negative integer or Infinity, got ${options.events}`);
  }
  if (!(config.rate > 0) || !Number.isFinite(config.rate)) {
    throw new NexmarkConfigError(`rate must be a positive number of events per second, got ${options.rate}`);
  }
  if (!Number.isInteger(config.seed)) throw new NexmarkConfigError(`seed must be an integer, got ${options.seed}`);
  if (!Number.isFinite(config.baseTime)) throw new NexmarkConfigError(`baseTime must be epoch ms, got ${options.baseTime}`);
  const { outOfOrdernessMs, watermarkBoundMs, lateFraction } = config;
  if (!Number.isInteger(outOfOrdernessMs) || outOfOrdernessMs < 0) {
    throw new NexmarkConfigError(`outOfOrdernessMs must be a non-negative integer, got ${options.outOfOrdernessMs}`);
  }
  if (!Number.isInteger(watermarkBoundMs) || watermarkBoundMs < 0 || watermarkBoundMs > outOfOrdernessMs) {
    throw new NexmarkConfigError(`watermarkBoundMs must be an integer in [0, outOfOrdernessMs], got ${options.watermarkBoundMs}`);
  }
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new NexmarkConfigError(`lateFraction must be in [0, 1], got ${options.lateFraction}`);
  if (lateFraction > 0 && watermarkBoundMs === outOfOrdernessMs) {
    throw new NexmarkConfigError('lateFraction > 0 needs watermarkBoundMs < outOfOrdernessMs (room for delays beyond the bound)');
  }
  return config;
}

/** Event time of an event: `rate` events per second starting at `baseTime`, whole ms. */
export function nexmarkEventTime(config: NexmarkConfig, eventId: number): number {
  return config.baseTime + Math.floor((eventId * 1000) / config.rate);
}

/** Salt of the delay's own random stream: the rest of an event is the same in or out of order. */
const DELAY_STREAM_SALT = 0x6c617465;
const delayRng = new EventRandom();

/**
 * How far `eventId`'s timestamp is moved back (0 when in order): with probability `lateFraction`
 * uniform in (bound, outOfOrdernessMs], else uniform in [0, bound]; a function of (seed, id) only,
 * so splits and restored readers agree.
 */
export function nexmarkEventDelay(config: NexmarkConfig, eventId: number): number {
  if (config.outOfOrdernessMs === 0) return 0;
  delayRng.reset(config.seed ^ DELAY_STREAM_SALT, eventId);
  const bound = config.watermarkBoundMs;
  if (delayRng.nextDouble() < config.lateFraction) return bound + 1 + delayRng.nextInt(config.outOfOrdernessMs - bound);
  return delayRng.nextInt(bound + 1);
}

/** Which kind of event an id is (the reference's `eventId % 50` split). */
export function nexmarkEventKind(eventId: number): NexmarkEvent['type'] {
  const offset = eventId % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return 'person';
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return 'auction';
  return 'bid';
}

/** Base-0 id of the last person generated at or before `eventId`. */
function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** Base-0 id of the last auction generated at or before `eventId` (-1 before the first). */
function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** A recently active person, possibly a few ids ahead of the last one generated. */
function nextBase0PersonId(eventId: number, rng: EventRandom): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  return numPeople - activePeople + rng.nextInt(activePeople + PERSON_ID_LEAD);
}

/** One of the in-flight auctions, possibly a few ids ahead of the last one generated. */
function nextBase0AuctionId(eventId: number, rng: EventRandom): number {
  const maxAuction = Math.max(lastBase0AuctionId(eventId), 0);
  const minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
  return minAuction + rng.nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
}

/** Nexmark prices: log-uniform cents between $1 and $1M. */
function nextPrice(rng: EventRandom): number {
  return Math.round(Math.pow(10, rng.nextDouble() * 6) * 100);
}

const MIN_STRING_LENGTH = 3;

/** Scratch buffer of character codes: one flat string per call instead of a chain of concatenations. */
const charCodes: number[] = [];

/** Lower-case letters with the odd `special` character, length in [3, maxLength), trimmed. */
function nextString(rng: EventRandom, maxLength: number, special = ' '): string {
  const len = MIN_STRING_LENGTH + rng.nextInt(maxLength - MIN_STRING_LENGTH);
  const specialCode = special.charCodeAt(0);
  charCodes.length = len;
  for (let i = 0; i < len; i++) charCodes[i] = rng.nextInt(13) === 0 ? specialCode : 97 + rng.nextInt(26);
  return String.fromCharCode.apply(null, charCodes).trim();
}

/**
 * Filler text drawn from one per-seed pool: a slice of a shared string costs no per-character
 * work, and the size still follows the reference (desired average record size ± 20 %).
 */
const EXTRA_POOL_SIZE = 4096;
const extraPools = new Map<number, string>();

function extraPool(seed: number): string {
  let pool = extraPools.get(seed);
  if (pool === undefined) {
    const rng = new EventRandom();
    rng.reset(seed, -1 >>> 0);
    const codes: number[] = [];
    for (let i = 0; i < EXTRA_POOL_SIZE; i++) codes.push(97 + rng.nextInt(26));
    pool = String.fromCharCode(...codes);
    extraPools.set(seed, pool);
  }
  return pool;
}

function nextExtra(rng: EventRandom, pool: string, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const desired = desiredAverageSize - currentSize;
  const delta = Math.round(desired * 0.2);
  const size = desired - delta + (delta === 0 ? 0 : rng.nextInt(2 * delta));
  const start = rng.nextInt(EXTRA_POOL_SIZE - size);
  return pool.substring(start, start + size);
}

function pad4(n: number): string {
  return n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : String(n);
}

function nextPerson(config: NexmarkConfig, eventId: number, rng: EventRandom, pool: string): PersonEvent {
  const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
  const name = FIRST_NAMES[rng.nextInt(FIRST_NAMES.length)] + ' ' + LAST_NAMES[rng.nextInt(LAST_NAMES.length)];
  const emailAddress = nextString(rng, 7) + '@' + nextString(rng, 5) + '.com';
  const creditCard =
    pad4(rng.nextInt(10000)) + ' ' + pad4(rng.nextInt(10000)) + ' ' + pad4(rng.nextInt(10000)) + ' ' + pad4(rng.nextInt(10000));
  const city = US_CITIES[rng.nextInt(US_CITIES.length)];
  const state = US_STATES[rng.nextInt(US_STATES.length)];
  const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  const extra = nextExtra(rng, pool, size, AVG_PERSON_BYTE_SIZE);
  const dateTime = nexmarkEventTime(config, eventId);
  return { type: 'person', id, name, emailAddress, creditCard, city, state, dateTime, extra };
}

/** Events between one auction and the one NUM_IN_FLIGHT_AUCTIONS later. */
const EVENTS_FOR_IN_FLIGHT_AUCTIONS = Math.floor((NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION);

function nextAuction(config: NexmarkConfig, eventId: number, rng: EventRandom, pool: string): AuctionEvent {
  const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
  let seller: number;
  if (rng.nextInt(HOT_SELLERS_RATIO) > 0) {
    seller = Math.floor(lastBase0PersonId(eventId) / HOT_SELLER_BATCH) * HOT_SELLER_BATCH;
  } else {
    seller = nextBase0PersonId(eventId, rng);
  }
  seller += FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + rng.nextInt(NUM_CATEGORIES);
  const initialBid = nextPrice(rng);
  const dateTime = nexmarkEventTime(config, eventId);
  // Auctions last on average as long as it takes to open NUM_IN_FLIGHT_AUCTIONS more, so about
  // that many are open at any time whatever the rate.
  const horizonMs = nexmarkEventTime(config, eventId + EVENTS_FOR_IN_FLIGHT_AUCTIONS) - dateTime;
  const expires = dateTime + 1 + rng.nextInt(Math.max(horizonMs * 2, 1));
  const itemName = nextString(rng, 20);
  const description = nextString(rng, 100);
  const reserve = initialBid + nextPrice(rng);
  const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(rng, pool, size, AVG_AUCTION_BYTE_SIZE);
  return { type: 'auction', id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra };
}

const HOT_URLS = HOT_CHANNELS.map(
  (channel, i) => `https://www.nexmark.com/${channel.toLowerCase()}/item${i}/hot/item.htm?query=1&channel_id=${i}`,
);

function nextBid(config: NexmarkConfig, eventId: number, rng: EventRandom, pool: string): BidEvent {
  let auction: number;
  if (rng.nextInt(HOT_AUCTION_RATIO) > 0) {
    auction = Math.floor(lastBase0AuctionId(eventId) / HOT_AUCTION_BATCH) * HOT_AUCTION_BATCH;
  } else {
    auction = nextBase0AuctionId(eventId, rng);
  }
  auction = Math.max(auction, 0) + FIRST_AUCTION_ID;
  let bidder: number;
  if (rng.nextInt(HOT_BIDDERS_RATIO) > 0) {
    bidder = Math.floor(lastBase0PersonId(eventId) / HOT_BIDDER_BATCH) * HOT_BIDDER_BATCH + 1;
  } else {
    bidder = nextBase0PersonId(eventId, rng);
  }
  bidder += FIRST_PERSON_ID;
  const price = nextPrice(rng);
  let channel: string;
  let url: string;
  if (rng.nextInt(HOT_CHANNELS_RATIO) > 0) {
    const i = rng.nextInt(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i];
    url = HOT_URLS[i];
  } else {
    const n = rng.nextInt(CHANNELS_NUMBER);
    channel = 'channel-' + n;
    url =
      'https://www.nexmark.com/' +
      nextString(rng, 5, '_') +
      '/' +
      nextString(rng, 5, '_') +
      '/' +
      nextString(rng, 5, '_') +
      '/item.htm?query=1&channel_id=' +
      n;
  }
  const extra = nextExtra(rng, pool, 32, AVG_BID_BYTE_SIZE);
  const dateTime = nexmarkEventTime(config, eventId);
  return { type: 'bid', auction, bidder, price, channel, url, dateTime, extra };
}

/**
 * Computes event `eventId` of the stream. `rng` is scratch state the caller may reuse across
 * calls (it is reseeded here); pass none for a one-off.
 */
export function nexmarkEventAt(config: NexmarkConfig, eventId: number, rng: EventRandom = new EventRandom()): NexmarkEvent {
  rng.reset(config.seed, eventId);
  const pool = extraPool(config.seed);
  const offset = eventId % TOTAL_PROPORTION;
  const event =
    offset < PERSON_PROPORTION
      ? nextPerson(config, eventId, rng, pool)
      : offset < PERSON_PROPORTION + AUCTION_PROPORTION
        ? nextAuction(config, eventId, rng, pool)
        : nextBid(config, eventId, rng, pool);
  if (config.outOfOrdernessMs > 0) event.dateTime -= nexmarkEventDelay(config, eventId);
  return event;
}
