// Hand-computed cases: the references are the tests' source of truth, so they get their own.
import {
  compareRows,
  referenceQ0,
  referenceQ1,
  referenceQ11,
  referenceQ2,
  referenceQ3,
  referenceQ4,
  referenceQ5,
  referenceQ7,
  referenceQ8,
  referenceWordCount,
  RefEvent,
} from './index';

const T = 1_700_000_000_000;
const person = (id: number, state: string, dateTime: number): RefEvent => ({ type: 'person', id, name: 'P' + id, city: 'C', state, dateTime });
const auction = (id: number, seller: number, category: number, dateTime: number, expires: number): RefEvent => ({
  type: 'auction',
  id,
  seller,
  category,
  dateTime,
  expires,
});
const bid = (auction: number, bidder: number, price: number, dateTime: number): RefEvent => ({ type: 'bid', auction, bidder, price, dateTime });

describe('reference implementations', () => {
  it('q0-q2 pass, convert and filter bids', () => {
    const events = [person(1, 'OR', T), bid(246, 2, 1000, T + 1), bid(247, 3, 333, T + 2)];
    expect(referenceQ0(events)).toEqual([events[1], events[2]]);
    expect(referenceQ1(events)).toEqual([
      { auction: 246, bidder: 2, price: 908, dateTime: T + 1 },
      { auction: 247, bidder: 3, price: 302.364, dateTime: T + 2 },
    ]);
    expect(referenceQ2(events)).toEqual([{ auction: 246, price: 1000 }]);
  });

  it('q3 joins category-10 auctions with sellers in OR, ID, CA whatever the order', () => {
    const events = [auction(1, 7, 10, T, T + 5), person(7, 'CA', T + 1), person(8, 'WA', T), auction(2, 8, 10, T, T + 1), auction(3, 7, 11, T, T + 1)];
    expect(referenceQ3(events)).toEqual([{ name: 'P7', city: 'C', state: 'CA', id: 1 }]);
  });

  it('q4 averages the highest in-time bid of each auction per category', () => {
    const events = [
      auction(1, 7, 10, T, T + 100),
      auction(2, 7, 10, T, T + 100),
      auction(3, 7, 11, T, T + 100),
      bid(1, 9, 50, T + 10),
      bid(1, 9, 70, T + 100), // expires is inclusive
      bid(1, 9, 900, T + 101), // too late
      bid(2, 9, 30, T),
      bid(3, 9, 5, T - 1), // too early: auction 3 has no winner
      bid(4, 9, 5, T), // unknown auction
    ];
    expect(referenceQ4(events)).toEqual([{ category: 10, avgPrice: 50 }]);
  });

  it('q5 reports the most-bid auctions of every sliding window', () => {
    const events = [bid(1, 9, 1, T + 1000), bid(2, 9, 1, T + 1500), bid(2, 9, 1, T + 9999), bid(1, 9, 1, T + 10_000)];
    const rows = referenceQ5(events);
    const byWindow = (s: number) => rows.filter((r) => r.windowStart === T + s).map((r) => [r.auction, r.count]);
    expect(byWindow(0)).toEqual([[2, 2]]);
    expect(byWindow(-8000).sort()).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(byWindow(2000)).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(byWindow(10_000)).toEqual([[1, 1]]);
    expect(new Set(rows.map((r) => r.windowEnd - r.windowStart))).toEqual(new Set([10_000]));
    // Starts from T-8000 (first bid) to T+10000 (last bid), every 2 s.
    expect(new Set(rows.map((r) => r.windowStart)).size).toBe(10);
  });

  it('q7 keeps every bid at the top price of each tumbling window', () => {
    const events = [bid(1, 9, 5, T), bid(2, 8, 7, T + 1), bid(3, 7, 7, T + 9999), bid(4, 6, 1, T + 10_000)];
    expect(compareRows(referenceQ7(events), [
      { windowStart: T, auction: 2, bidder: 8, price: 7 },
      { windowStart: T, auction: 3, bidder: 7, price: 7 },
      { windowStart: T + 10_000, auction: 4, bidder: 6, price: 1 },
    ]).equal).toBe(true);
  });

  it('q8 finds persons who opened an auction in their registration window', () => {
    const events = [person(1, 'OR', T + 9000), auction(5, 1, 10, T + 9999, T), person(2, 'OR', T + 9000), auction(6, 2, 10, T + 10_000, T), auction(7, 1, 10, T + 1, T)];
    expect(referenceQ8(events)).toEqual([{ id: 1, name: 'P1', windowStart: T }]);
  });

  it('q11 counts bids per bidder session, merging bids up to the gap apart', () => {
    const events = [bid(1, 9, 1, T), bid(1, 9, 1, T + 10_000), bid(1, 9, 1, T + 20_001), bid(1, 8, 1, T + 5)];
    expect(compareRows(referenceQ11(events), [
      { bidder: 9, count: 2, windowStart: T, windowEnd: T + 20_000 },
      { bidder: 9, count: 1, windowStart: T + 20_001, windowEnd: T + 30_001 },
      { bidder: 8, count: 1, windowStart: T + 5, windowEnd: T + 10_005 },
    ]).equal).toBe(true);
  });

  it('word count lower-cases ASCII letter/digit runs', () => {
    expect(compareRows(referenceWordCount('To be, or NOT to be: 2B\nCafé'), [
      { word: 'to', count: 2 },
      { word: 'be', count: 2 },
      { word: 'or', count: 1 },
      { word: 'not', count: 1 },
      { word: '2b', count: 1 },
      { word: 'caf', count: 1 },
    ]).equal).toBe(true);
  });

  it('compareRows ignores order and float noise but not values', () => {
    expect(compareRows([{ a: 1, b: 0.1 + 0.2 }, { a: 2 }], [{ a: 2 }, { b: 0.3, a: 1 }]).equal).toBe(true);
    const diff = compareRows([{ a: 1 }, { a: 1 }], [{ a: 1 }, { a: 3 }]);
    expect(diff).toEqual({ equal: false, missing: [{ a: 3 }], unexpected: [{ a: 1 }] });
  });
});
