/**
 * WordCount: `--input <text file>` (a built-in verse without it), one `{word, count}` row per
 * distinct word with its final count, emitted when the input ends.
 *
 * A word is a run of ASCII letters and digits after lower-casing (`/[a-z0-9]+/g`). Every other
 * character separates words, non-ASCII letters included: "Café" counts as "caf". This keeps the
 * tokenizer locale-independent and identical on every worker; a job wanting Unicode words would
 * use `/[\p{L}\p{N}]+/gu` instead.
 */
import {
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type RuntimeContext,
  type StreamExecutionEnvironment,
  type ValueState,
} from '@runnel/dataflow';
import { parseExampleArgs } from './shared/job.args';
import { LineFileSource } from './shared/line-file.source';
import { applyCheckpointing, emitResults } from './shared/nexmark.input';

export interface WordCountRow {
  word: string;
  count: number;
}

const DEFAULT_TEXT = [
  'To be, or not to be,--that is the question:--',
  "Whether 'tis nobler in the mind to suffer",
  'The slings and arrows of outrageous fortune',
  'Or to take arms against a sea of troubles,',
  'And by opposing end them?--To die,--to sleep,--',
];

/** Event-time timers this late fire only with the final watermark of a bounded input. */
const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

export function tokenize(line: string, out: Collector<string>): void {
  const words = line.toLowerCase().match(/[a-z0-9]+/g);
  if (words !== null) for (let i = 0; i < words.length; i++) out.collect(words[i]);
}

class FinalCount implements KeyedProcessFunction<string, string, WordCountRow> {
  private count!: ValueState<number>;

  open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }

  processElement(_word: string, ctx: KeyedContext<string>): void {
    const count = this.count.value();
    if (count === undefined) ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
    this.count.update((count ?? 0) + 1);
  }

  onTimer(_timestamp: number, ctx: OnTimerContext<string>, out: Collector<WordCountRow>): void {
    out.collect({ word: ctx.getCurrentKey(), count: this.count.value() ?? 0 });
  }
}

export default async function wordCount(env: StreamExecutionEnvironment, rawArgs: string[]): Promise<void> {
  const args = parseExampleArgs(rawArgs);
  applyCheckpointing(env, args);
  const lines =
    args.input !== undefined
      ? env.fromSource(new LineFileSource<string>(args.input, (line) => line), WatermarkStrategy.noWatermarks<string>(), 'Text File').uid('text-input')
      : env.fromCollection(DEFAULT_TEXT);
  const counts = lines
    .flatMap(tokenize)
    .name('Tokenize')
    .keyBy((word: string) => word)
    .process(new FinalCount())
    .name('Count')
    .uid('word-count');
  emitResults(counts, args);
  await env.execute('WordCount');
}
