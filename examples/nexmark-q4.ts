/**
 * Nexmark Q4 (average price per category): the winning bid of each auction is its highest bid
 * placed within [auction.dateTime, auction.expires]; the job emits, per category, the average of
 * the winning bids once the input is complete.
 *
 * Stage 1 joins bids to their auction (keyed by auction id) and closes the auction with an
 * event-time timer at its expiry; bids seen before their auction wait in state until the
 * watermark shows the auction cannot come any more, so state stays bounded. Stage 2 keeps a
 * running sum and count per category and emits when the final watermark arrives.
 */
import {
  ListStateDescriptor,
  ValueStateDescriptor,
  type AuctionEvent,
  type BidEvent,
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedContext,
  type KeyedProcessFunction,
  type ListState,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '@runnel/dataflow';
import { auctions, bids } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q4Row {
  category: number;
  avgPrice: number;
}

interface WinningBid {
  category: number;
  price: number;
}

interface OpenAuction {
  dateTime: number;
  expires: number;
  category: number;
  /** Highest valid bid so far, -1 while none. */
  best: number;
}

/** Event-time timers registered here fire only when a bounded input ends (final watermark). */
const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

class WinningBids implements KeyedCoProcessFunction<number, AuctionEvent, BidEvent, WinningBid> {
  private auction!: ValueState<OpenAuction>;
  private early!: ListState<BidEvent>;

  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<OpenAuction>('auction'));
    this.early = ctx.getListState(new ListStateDescriptor<BidEvent>('early-bids'));
  }

  processElement1(a: AuctionEvent, ctx: KeyedContext<number>): void {
    const open: OpenAuction = { dateTime: a.dateTime, expires: a.expires, category: a.category, best: -1 };
    for (const b of this.early.get()) if (b.dateTime >= open.dateTime && b.dateTime <= open.expires && b.price > open.best) open.best = b.price;
    this.early.clear();
    this.auction.update(open);
    ctx.timerService().registerEventTimeTimer(a.expires);
  }

  processElement2(b: BidEvent, ctx: KeyedContext<number>): void {
    const open = this.auction.value();
    if (open === undefined) {
      // The auction may still come (another subtask's source may be behind), but only with a
      // dateTime <= the bid's; once the watermark passes the bid, the bid can be dropped.
      this.early.add(b);
      ctx.timerService().registerEventTimeTimer(b.dateTime);
    } else if (b.dateTime >= open.dateTime && b.dateTime <= open.expires && b.price > open.best) {
      open.best = b.price;
      this.auction.update(open);
    }
  }

  onTimer(timestamp: number, _ctx: OnTimerContext<number>, out: Collector<WinningBid>): void {
    const open = this.auction.value();
    if (open === undefined) {
      // No auction by now: early bids up to this time can never count.
      const waiting = this.early.get();
      const keep = waiting.filter((b) => b.dateTime > timestamp);
      if (keep.length !== waiting.length) this.early.update(keep);
      return;
    }
    if (timestamp !== open.expires) return;
    if (open.best >= 0) out.collect({ category: open.category, price: open.best });
    // Closed: later bids find no auction, wait as "early" and are dropped by their own timer.
    this.auction.clear();
  }
}

interface CategoryAverage {
  sum: number;
  count: number;
}

class AveragePerCategory implements KeyedProcessFunction<number, WinningBid, Q4Row> {
  private acc!: ValueState<CategoryAverage>;

  open(ctx: RuntimeContext): void {
    this.acc = ctx.getState(new ValueStateDescriptor<CategoryAverage>('category-average'));
  }

  processElement(w: WinningBid, ctx: KeyedContext<number>): void {
    const acc = this.acc.value();
    if (acc === undefined) {
      this.acc.update({ sum: w.price, count: 1 });
      ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
    } else {
      acc.sum += w.price;
      acc.count++;
      this.acc.update(acc);
    }
  }

  onTimer(_timestamp: number, ctx: OnTimerContext<number>, out: Collector<Q4Row>): void {
    const acc = this.acc.value();
    if (acc !== undefined) out.collect({ category: ctx.getCurrentKey(), avgPrice: acc.sum / acc.count });
  }
}

export const query: NexmarkQuery<Q4Row> = (events) =>
  auctions(events)
    .keyBy((a: AuctionEvent) => a.id)
    .connect(bids(events).keyBy((b: BidEvent) => b.auction))
    .process(new WinningBids())
    .name('Winning Bids')
    .uid('q4-winning-bids')
    .keyBy((w: WinningBid) => w.category)
    .process(new AveragePerCategory())
    .name('Average per Category')
    .uid('q4-average');

export default nexmarkJob('Nexmark Q4', query);
