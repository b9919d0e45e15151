// Hand-computed cases for the lateness reference: each step's watermark is worked out in a comment.
import { referenceLateWindowCounts, RefEvent } from './index';

const bid = (auction: number, dateTime: number): RefEvent => ({ type: 'bid', auction, bidder: 1, price: 1, dateTime });
const person = (dateTime: number): RefEvent => ({ type: 'person', id: 1, name: 'P', city: 'C', state: 'OR', dateTime });
const byStart = <T extends { windowStart: number; windowEnd: number }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => a.windowStart - b.windowStart || a.windowEnd - b.windowEnd);
const w = (windowStart: number, windowEnd: number, auction: number, count: number) => ({ windowStart, windowEnd, auction, count });

describe('lateness reference', () => {
  it('tumbling windows: on-time firing, late firings within the allowed lateness, late bids after the purge', () => {
    // Windows of 10 ms, bound 2 (watermark = max - 3), allowed lateness 5 (purge at end - 1 + 5).
    const events = [
      bid(1, 1), //  wm -2
      bid(1, 12), // wm 9: [0,10) fires with 1
      bid(1, 5), //  9 + 5 > 9: allowed, [0,10) fires again with 2
      bid(1, 17), // wm 14: [0,10) purged (9 + 5 <= 14)
      bid(1, 3), //  late: side output
      bid(1, 25), // wm 22: [10,20) fires with 2 (12, 17)
      bid(2, 18), // auction 2's [10,20) is new but already past the watermark: fires at once with 1
    ];
    const result = referenceLateWindowCounts(events, { windowMs: 10, boundMs: 2, allowedLatenessMs: 5 });
    expect(result.onTime).toEqual([w(0, 10, 1, 1), w(10, 20, 1, 2), w(20, 30, 1, 1)]); // the last at end of input
    expect(result.lateFirings).toEqual([w(0, 10, 1, 2), w(10, 20, 2, 1)]);
    expect(result.late).toEqual([events[4]]);
    expect(result.dropped).toBe(1);
  });

  it('without allowed lateness a bid for a fired window is late; other events advance the watermark too', () => {
    const events = [bid(1, 4), person(30), bid(1, 25), bid(1, 29)]; // bound 0: after the person wm = 29
    const result = referenceLateWindowCounts(events, { windowMs: 10, boundMs: 0, allowedLatenessMs: 0 });
    // [20,30) ends at 29 <= 29: purged when the person arrives, before it had contents.
    expect(result.onTime).toEqual([w(0, 10, 1, 1)]);
    expect(result.lateFirings).toEqual([]);
    expect(result.late).toEqual([events[2], events[3]]);
  });

  it('sliding windows: a bid is late only when every window it belongs to is purged', () => {
    // Size 10, slide 5, bound 0, no lateness: bid t is in [s, s+10) for s in {floor5(t), floor5(t)-5}.
    const events = [
      bid(1, 3), //  wm 2
      bid(1, 12), // wm 11: [-5,5) and [0,10) fire with 1 each and are purged
      bid(1, 8), //  [0,10) purged, [5,15) live: counted there only, not late
      bid(1, 1), //  [-5,5) and [0,10) purged: late
    ];
    const result = referenceLateWindowCounts(events, { windowMs: 10, slideMs: 5, boundMs: 0, allowedLatenessMs: 0 });
    expect(byStart(result.onTime)).toEqual([w(-5, 5, 1, 1), w(0, 10, 1, 1), w(5, 15, 1, 2), w(10, 20, 1, 1)]);
    expect(result.late).toEqual([events[3]]);
    expect(result.dropped).toBe(1);
  });

  it('a watermark updated every k events sees lateness later', () => {
    const events = [bid(1, 12), bid(1, 5), bid(1, 30)];
    const model = { windowMs: 10, boundMs: 2, allowedLatenessMs: 5 };
    // Every event: after 12 the watermark is 9, so the bid at 5 arrives late (but allowed): it
    // creates [0,10) past the watermark and fires it at once.
    const eachEvent = referenceLateWindowCounts(events, model);
    expect(eachEvent.lateFirings).toEqual([w(0, 10, 1, 1)]);
    expect(eachEvent.onTime).toEqual([w(10, 20, 1, 1), w(30, 40, 1, 1)]);
    // Every 2 events: the bid at 5 still sees no watermark; [0,10) fires on time after it.
    const everyTwo = referenceLateWindowCounts(events, { ...model, watermarkEvery: 2 });
    expect(everyTwo.lateFirings).toEqual([]);
    expect(everyTwo.onTime).toEqual([w(0, 10, 1, 1), w(10, 20, 1, 1), w(30, 40, 1, 1)]);
  });
});
