/**
 * q5's second stage (as examples/shared/window-leaders.process.ts): per window, the rows with the
 * most bids, ties kept, emitted when the watermark passes the window's end. Shared by the q5
 * scaling table and the latency bench's job.
 */
import {
  ValueStateDescriptor,
  type Collector,
  type KeyedContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '@runnel/dataflow';

export interface WindowCountRow {
  windowEnd: number;
  count: number;
}

export class Leaders<R extends WindowCountRow> implements KeyedProcessFunction<number, R, R> {
  private state!: ValueState<{ count: number; rows: R[] }>;
  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<{ count: number; rows: R[] }>('leaders'));
  }
  processElement(row: R, ctx: KeyedContext<number>): void {
    const cur = this.state.value();
    if (cur === undefined) {
      this.state.update({ count: row.count, rows: [row] });
      ctx.timerService().registerEventTimeTimer(row.windowEnd - 1);
    } else if (row.count > cur.count) this.state.update({ count: row.count, rows: [row] });
    else if (row.count === cur.count) cur.rows.push(row);
  }
  onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<R>): void {
    for (const r of this.state.value()?.rows ?? []) out.collect(r);
    this.state.clear();
  }
}
