/**
 * Event and result row shapes of the reference implementations. Declared here, structurally,
 * rather than imported from @runnel/dataflow, so the expected answers share no code with the
 * system under test.
 */

export interface RefPerson {
  type: 'person';
  id: number;
  name: string;
  city: string;
  state: string;
  dateTime: number;
}

export interface RefAuction {
  type: 'auction';
  id: number;
  seller: number;
  category: number;
  dateTime: number;
  expires: number;
}

export interface RefBid {
  type: 'bid';
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}

export type RefEvent = RefPerson | RefAuction | RefBid;

export interface Q1Row {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
}
export interface Q2Row {
  auction: number;
  price: number;
}
export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}
export interface Q4Row {
  category: number;
  avgPrice: number;
}
export interface Q5Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}
export interface Q7Row {
  windowStart: number;
  auction: number;
  bidder: number;
  price: number;
}
export interface Q8Row {
  id: number;
  name: string;
  windowStart: number;
}
export interface Q11Row {
  bidder: number;
  count: number;
  windowStart: number;
  windowEnd: number;
}
export interface WordCountRow {
  word: string;
  count: number;
}

/** Query parameters shared by the examples and the references (the Nexmark defaults). */
export const NexmarkQueryParams = {
  q1DollarToEuro: 0.908,
  q2AuctionModulus: 123,
  q3States: ['OR', 'ID', 'CA'] as readonly string[],
  q3Category: 10,
  q5WindowMs: 10_000,
  q5SlideMs: 2_000,
  q7WindowMs: 10_000,
  q8WindowMs: 10_000,
  q11GapMs: 10_000,
} as const;
