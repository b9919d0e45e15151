/**
 * Constants of the Nexmark reference generator (Beam / Flink nexmark `GeneratorConfig`,
 * `PersonGenerator`, `AuctionGenerator`, `BidGenerator`). Kept identical to the reference so
 * the event mix, id ranges and "hot" key skew behave like published Nexmark numbers.
 */

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;

/** Ids may run a little ahead of the last generated entity (a bid for an auction not seen yet). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;

export const NUM_ACTIVE_PEOPLE = 1000;
export const NUM_IN_FLIGHT_AUCTIONS = 100;

/** 1 in N chooses a uniformly random entity; the rest pick the current "hot" one. */
export const HOT_AUCTION_RATIO = 2;
export const HOT_SELLERS_RATIO = 4;
export const HOT_BIDDERS_RATIO = 4;
export const HOT_CHANNELS_RATIO = 2;
/** Hot entities are the first of each batch of this many. */
export const HOT_AUCTION_BATCH = 100;
export const HOT_SELLER_BATCH = 100;
export const HOT_BIDDER_BATCH = 100;
export const CHANNELS_NUMBER = 10_000;

export const AVG_PERSON_BYTE_SIZE = 200;
export const AVG_AUCTION_BYTE_SIZE = 500;
export const AVG_BID_BYTE_SIZE = 100;

export const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'] as const;
export const US_CITIES = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
] as const;
export const FIRST_NAMES = [
  'Peter',
  'Paul',
  'Luke',
  'John',
  'Saul',
  'Vicky',
  'Kate',
  'Julie',
  'Sarah',
  'Deiter',
  'Walter',
] as const;
export const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'] as const;
export const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;

/** Nexmark's default first event rate (events per second). */
export const DEFAULT_RATE = 10_000;
/** A fixed epoch so runs are reproducible; aligned to 10 s so the first window is whole. */
export const DEFAULT_BASE_TIME = 1_700_000_000_000;
export const DEFAULT_SEED = 42;
/** Share of events delayed beyond the watermark bound when the stream is out of order. */
export const DEFAULT_LATE_FRACTION = 0.05;
