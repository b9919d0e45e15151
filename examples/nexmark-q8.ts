/**
 * Nexmark Q8 (monitor new users): persons who opened an auction within the tumbling 10 s window
 * in which they registered. Both sides are grouped per (person, window) first, as in the
 * reference query, so a person is reported once however many auctions they opened.
 */
import {
  TumblingEventTimeWindows,
  type AuctionEvent,
  type Collector,
  type PersonEvent,
  type ProcessWindowFunction,
  type WindowContext,
} from '@runnel/dataflow';
import { auctions, persons } from './shared/nexmark.input';
import { nexmarkJob, type NexmarkQuery } from './shared/nexmark.job';

export interface Q8Row {
  id: number;
  name: string;
  windowStart: number;
}

const WINDOW_MS = 10_000;

/** Either a new person (with a name) or an auction opened by person `id` (name null). */
interface Activity {
  id: number;
  name: string | null;
}

const newUsersWithAuctions: ProcessWindowFunction<Activity, Q8Row, number> = {
  process(id: number, ctx: WindowContext, activity: readonly Activity[], out: Collector<Q8Row>): void {
    let name: string | null = null;
    let opened = false;
    for (const a of activity) {
      if (a.name === null) opened = true;
      else name = a.name;
    }
    if (name !== null && opened) out.collect({ id, name, windowStart: ctx.window.start });
  },
};

export const query: NexmarkQuery<Q8Row> = (events) => {
  const registered = persons(events).map((p: PersonEvent): Activity => ({ id: p.id, name: p.name })).name('Registrations');
  const opened = auctions(events).map((a: AuctionEvent): Activity => ({ id: a.seller, name: null })).name('Auction Openings');
  return registered
    .union(opened)
    .keyBy((a: Activity) => a.id)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .process(newUsersWithAuctions)
    .name('New Users with Auctions')
    .uid('q8-join');
};

export default nexmarkJob('Nexmark Q8', query);
