/**
 * Nexmark Q5 (hot items): the auction(s) with the most bids in each sliding window of 10 s
 * every 2 s. Stage 1 counts bids per auction and window; stage 2, keyed by window, keeps the
 * leaders and emits them when the watermark passes the window's end.
 */
import {
  SlidingEventTimeWindows,
  ValueStateDescriptor,
  type AggregateFunction,
  type BidEvent,
  type Collector,
  type KeyedContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type ProcessWindowFunction,
  type RuntimeContext,
  type ValueState,
  type WindowContext,
} from '@runnel/dataflow';
import { bids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q5Row {
  windowStart: number;
  windowEnd: number;
  auction: number;
  count: number;
}

const WINDOW_MS = 10_000;
const SLIDE_MS = 2_000;

const countBids: AggregateFunction<BidEvent, number, number> = {
  createAccumulator: () => 0,
  add: (_b, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

const toRow: ProcessWindowFunction<number, Q5Row, number> = {
  process(auction: number, ctx: WindowContext, counts: readonly number[], out: Collector<Q5Row>): void {
    out.collect({ windowStart: ctx.window.start, windowEnd: ctx.window.end, auction, count: counts[0] });
  },
};

interface Leaders {
  count: number;
  rows: Q5Row[];
}

class HottestPerWindow implements KeyedProcessFunction<number, Q5Row, Q5Row> {
  private leaders!: ValueState<Leaders>;

  open(ctx: RuntimeContext): void {
    this.leaders = ctx.getState(new ValueStateDescriptor<Leaders>('leaders'));
  }

  processElement(row: Q5Row, ctx: KeyedContext<number>): void {
    const leaders = this.leaders.value();
    if (leaders === undefined) {
      this.leaders.update({ count: row.count, rows: [row] });
      // Window results carry the window's last timestamp; every count of this window is in by
      // the time the watermark reaches it.
      ctx.timerService().registerEventTimeTimer(row.windowEnd - 1);
    } else if (row.count > leaders.count) {
      this.leaders.update({ count: row.count, rows: [row] });
    } else if (row.count === leaders.count) {
      leaders.rows.push(row);
      this.leaders.update(leaders);
    }
  }

  onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    const leaders = this.leaders.value();
    if (leaders !== undefined) for (const row of leaders.rows) out.collect(row);
    this.leaders.clear();
  }
}

export const query: NexmarkQuery<Q5Row> = (events) =>
  bids(events)
    .keyBy((b: BidEvent) => b.auction)
    .window(SlidingEventTimeWindows.of(WINDOW_MS, SLIDE_MS))
    .aggregate(countBids, toRow)
    .name('Bids per Auction and Window')
    .uid('q5-count')
    .keyBy((r: Q5Row) => r.windowStart)
    .process(new HottestPerWindow())
    .name('Hottest Auctions')
    .uid('q5-hottest');

export default nexmarkJob('Nexmark Q5', query);
