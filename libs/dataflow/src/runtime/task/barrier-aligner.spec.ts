import { StreamElementType, type BarrierElement, type StreamElement } from '../../core/stream-element.types';
import { BarrierAligner } from './barrier-aligner';
import type { InputItem } from './channel.types';

const rec = (v: number): StreamElement => ({ type: StreamElementType.Records, values: [v], timestamps: [0] });
const barrier = (id: number): BarrierElement => ({ type: StreamElementType.Barrier, checkpointId: id, timestamp: 0 });

/** Feeds items like the task loop does; returns the processed record values and the aligned checkpoints. */
function drive(channels: number, input: [number, StreamElement][]) {
  const aligned: number[] = [];
  const processed: string[] = [];
  const a = new BarrierAligner(channels, (b) => aligned.push(b.checkpointId) && processed.push(`cp${b.checkpointId}`));
  const queue: InputItem[] = input.map(([channel, element]) => ({ channel, element }));
  let i = 0;
  for (;;) {
    const item = a.nextReplay() ?? queue[i++];
    if (!item) break;
    if (!a.accept(item)) continue;
    const e = item.element;
    if (e.type === 'barrier') a.onBarrier(item.channel, e);
    else if (e.type === 'end-of-partition') a.onEndOfPartition(item.channel);
    else if (e.type === 'records') processed.push(`${item.channel}:${e.values[0]}`);
  }
  return { aligned, processed };
}

describe('BarrierAligner', () => {
  it('holds back records after a barrier until all channels delivered it', () => {
    const { processed } = drive(2, [
      [0, rec(1)],
      [0, barrier(1)],
      [0, rec(2)], // after the barrier on channel 0: must wait
      [1, rec(10)], // before the barrier on channel 1: goes first
      [1, barrier(1)],
      [1, rec(11)],
    ]);
    expect(processed).toEqual(['0:1', '1:10', 'cp1', '0:2', '1:11']);
  });

  it('ended channels do not block a checkpoint; consecutive checkpoints align in order', () => {
    const { processed } = drive(3, [
      [2, { type: 'end-of-partition' }],
      [0, barrier(1)],
      [0, rec(1)],
      [0, barrier(2)],
      [1, rec(5)],
      [1, barrier(1)],
      [1, barrier(2)],
      [1, rec(6)],
    ]);
    expect(processed).toEqual(['1:5', 'cp1', '0:1', 'cp2', '1:6']);
  });
});
