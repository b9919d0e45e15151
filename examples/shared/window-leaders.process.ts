/**
 * Keeps, per key (a window), the rows with the highest score — ties kept — and emits them when
 * the window is complete (an event-time timer at the time `fireAt` names). q5 ranks auctions by
 * bid count, q7 bids by price; the bookkeeping is the same.
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

interface Leaders<R> {
  score: number;
  rows: R[];
}

export class WindowLeaders<R> implements KeyedProcessFunction<number, R, R> {
  private leaders!: ValueState<Leaders<R>>;

  constructor(
    private readonly score: (row: R) => number,
    /** When the window's results are all in: the watermark passing it fires the timer. */
    private readonly fireAt: (row: R) => number,
  ) {}

  open(ctx: RuntimeContext): void {
    this.leaders = ctx.getState(new ValueStateDescriptor<Leaders<R>>('leaders'));
  }

  processElement(row: R, ctx: KeyedContext<number>): void {
    const leaders = this.leaders.value();
    const score = this.score(row);
    if (leaders === undefined) {
      this.leaders.update({ score, rows: [row] });
      ctx.timerService().registerEventTimeTimer(this.fireAt(row));
    } else if (score > leaders.score) {
      this.leaders.update({ score, rows: [row] });
    } else if (score === leaders.score) {
      leaders.rows.push(row);
      this.leaders.update(leaders);
    }
  }

  onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<R>): void {
    const leaders = this.leaders.value();
    if (leaders !== undefined) for (const row of leaders.rows) out.collect(row);
    this.leaders.clear();
  }
}
