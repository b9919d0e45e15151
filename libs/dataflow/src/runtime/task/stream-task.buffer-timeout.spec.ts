/**
 * Per-output buffer timeouts in a branched chain: a source feeding two filters is one task with two
 * out-edges; the filter that set 0 has its channel flushed after every source batch, the one that
 * set -1 only when a batch is full and at the end of input. Observed through recording partition
 * writers (what each channel was handed, in order); no clocks involved (0 and -1 use no timer).
 */
import { StreamElementType, MAX_WATERMARK, type StreamElement } from '../../core/stream-element.types';
import { StreamExecutionEnvironment } from '../../api/stream-execution-environment';
import type { ResultPartitionWriter } from './channel.types';
import { StreamTask } from './stream.task';

/** One channel; logs what it is handed as `R<n>` (a batch of n records), `W` (watermark) or the element type. */
class RecordingWriter implements ResultPartitionWriter {
  readonly numberOfChannels = 1;
  readonly log: string[] = [];
  emit(_channel: number, element: StreamElement): void {
    if (element.type === StreamElementType.Records) this.log.push(`R${element.values.length}`);
    else if (element.type === StreamElementType.Watermark) this.log.push(element.timestamp === MAX_WATERMARK ? 'W(max)' : 'W');
    else this.log.push(element.type);
  }
  awaitCapacity(): undefined {
    return undefined;
  }
  abort(): void {
    // nothing in flight
  }
}

/** Source 1..n in batches of `batch`; evens to a filter with timeout `even`, odds to one with `odd`. */
function branchedJob(n: number, even: number | undefined, odd: number | undefined) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(1);
  const src = env.fromSequence(1, n).uid('src');
  const evens = src.filter((x: number) => x % 2 === 0).uid('evens');
  if (even !== undefined) evens.setBufferTimeout(even);
  const odds = src.filter((x: number) => x % 2 === 1).uid('odds');
  if (odd !== undefined) odds.setBufferTimeout(odd);
  // rebalance(): network edges leaving from the filters, so the chain is src -> (evens, odds).
  evens.rebalance().print().uid('out-evens');
  odds.rebalance().print().uid('out-odds');
  return env.buildJob('bt-branches');
}

async function runSourceTask(even: number | undefined, odd: number | undefined, jobTimeout?: number) {
  const { jobGraph, functions } = branchedJob(20, even, odd);
  const vertex = jobGraph.vertices.find((v) => v.id === 'src')!;
  expect(vertex.operators.map((o) => o.uid)).toEqual(['src', 'evens', 'odds']);
  // By the filter each edge leaves from (the chain's last operator, odds, is named by none).
  const out = new Map<string, RecordingWriter>();
  const outputs = new Map<string, RecordingWriter>();
  for (const e of jobGraph.edges.filter((e) => e.source === 'src')) {
    const w = new RecordingWriter();
    out.set(e.sourceOperator ?? 'odds', w);
    outputs.set(e.id, w);
  }
  // batchSize 4: the source polls 4 numbers at a time (2 per filter), a channel's batch is full at 4.
  const task = new StreamTask({ jobGraph, vertex, subtaskIndex: 0, functions, outputs, batchSize: 4, ...(jobTimeout !== undefined ? { bufferTimeoutMs: jobTimeout } : {}) });
  await task.run();
  return { evens: out.get('evens')!.log, odds: out.get('odds')!.log };
}

// 20 numbers in 5 source batches of 4: each filter passes 2 per source batch, 10 in all.
const end = ['W(max)', StreamElementType.EndOfPartition];
const afterEveryBatch = [...Array(5).fill('R2'), ...end];
const onlyWhenFull = ['R4', 'R4', 'R2', ...end];

describe('StreamTask: per-output buffer timeouts in a branched chain', () => {
  it('the 0 branch is flushed after every source batch, the -1 branch only when full and at end of input', async () => {
    const { evens, odds } = await runSourceTask(0, -1);
    expect(evens).toEqual(afterEveryBatch);
    expect(odds).toEqual(onlyWhenFull);
  });

  it('either way round (the operator later in the chain does not decide for the other)', async () => {
    const { evens, odds } = await runSourceTask(-1, 0);
    expect(evens).toEqual(onlyWhenFull);
    expect(odds).toEqual(afterEveryBatch);
  });

  it('a branch that sets none takes the default (the TaskManager\'s here), not its sibling\'s', async () => {
    const { evens, odds } = await runSourceTask(0, undefined, -1);
    expect(evens).toEqual(afterEveryBatch);
    expect(odds).toEqual(onlyWhenFull);
  });
});
