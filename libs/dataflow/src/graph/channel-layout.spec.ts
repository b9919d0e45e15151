import { StreamExecutionEnvironment } from '../api/stream-execution-environment';
import type { DataStream } from '../api/data-stream';
import { hasDeterministicInputOrder } from './channel-layout';

/** Whether every subtask of the vertex holding operator `uid` gets a deterministic input order. */
function deterministic(build: (env: StreamExecutionEnvironment) => DataStream<unknown>, uid = 'last'): boolean[] {
  const env = StreamExecutionEnvironment.createPlanEnvironment(2);
  build(env).print();
  const { jobGraph } = env.buildJob('order');
  const v = jobGraph.vertices.find((x) => x.operators.some((o) => o.uid === uid))!;
  return Array.from({ length: v.parallelism }, (_, s) => hasDeterministicInputOrder(jobGraph, v.id, s));
}

describe('hasDeterministicInputOrder', () => {
  it('chained to the source, or behind forward edges: deterministic', () => {
    expect(deterministic((env) => env.fromSequence(1, 9).map((x) => x).uid('last'))).toEqual([true, true]);
    expect(deterministic((env) => env.fromSequence(1, 9).map((x) => x).disableChaining().uid('last'))).toEqual([true, true]);
  });
  it('one hash channel (upstream parallelism 1): deterministic', () => {
    expect(deterministic((env) => env.fromSequence(1, 9).setParallelism(1).keyBy((x) => x % 3).sum().setParallelism(1).uid('last'))).toEqual([true]);
  });
  it('several channels, or a shuffle: not deterministic', () => {
    expect(deterministic((env) => env.fromSequence(1, 9).keyBy((x) => x % 3).sum().uid('last'))).toEqual([false, false]);
    expect(deterministic((env) => env.fromSequence(1, 9).setParallelism(1).shuffle().map((x) => x).uid('last'))).toEqual([false, false]);
    expect(deterministic((env) => env.fromSequence(1, 9).rebalance().map((x) => x).uid('last'))).toEqual([false, false]);
  });
});
