/**
 * Nexmark Q3 (local item suggestion): sellers in Oregon, Idaho or California with auctions in
 * category 10, as an unbounded join of persons and auctions on person.id = auction.seller.
 * Either side may arrive first: auctions wait in keyed state until their seller shows up.
 */
import {
  ListStateDescriptor,
  ValueStateDescriptor,
  type AuctionEvent,
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedContext,
  type ListState,
  type PersonEvent,
  type RuntimeContext,
  type ValueState,
} from '@runnel/dataflow';
import { auctions, persons } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}

const STATES = new Set(['OR', 'ID', 'CA']);
const CATEGORY = 10;

interface Seller {
  name: string;
  city: string;
  state: string;
}

class LocalItemJoin implements KeyedCoProcessFunction<number, PersonEvent, AuctionEvent, Q3Row> {
  private seller!: ValueState<Seller>;
  private waiting!: ListState<number>;

  open(ctx: RuntimeContext): void {
    this.seller = ctx.getState(new ValueStateDescriptor<Seller>('seller'));
    this.waiting = ctx.getListState(new ListStateDescriptor<number>('waiting-auctions'));
  }

  processElement1(p: PersonEvent, _ctx: KeyedContext<number>, out: Collector<Q3Row>): void {
    const seller: Seller = { name: p.name, city: p.city, state: p.state };
    this.seller.update(seller);
    for (const id of this.waiting.get()) out.collect({ name: seller.name, city: seller.city, state: seller.state, id });
    this.waiting.clear();
  }

  processElement2(a: AuctionEvent, _ctx: KeyedContext<number>, out: Collector<Q3Row>): void {
    const seller = this.seller.value();
    if (seller === undefined) this.waiting.add(a.id);
    else out.collect({ name: seller.name, city: seller.city, state: seller.state, id: a.id });
  }
}

export const query: NexmarkQuery<Q3Row> = (events) => {
  const sellers = persons(events).filter((p: PersonEvent) => STATES.has(p.state)).name('Sellers in OR, ID, CA');
  const category10 = auctions(events).filter((a: AuctionEvent) => a.category === CATEGORY).name('Category 10');
  return sellers
    .keyBy((p: PersonEvent) => p.id)
    .connect(category10.keyBy((a: AuctionEvent) => a.seller))
    .process(new LocalItemJoin())
    .name('Join Sellers and Auctions')
    .uid('q3-join');
};

export default nexmarkJob('Nexmark Q3', query);
