import { StreamElementType, type BarrierElement, type StreamElement } from '../../core/stream-element.types';
import type { BarrierHandler } from './barrier-handler.types';
import { BarrierTracker } from './barrier-tracker';
import type { InputItem } from './channel.types';

const rec = (v: number): StreamElement => ({ type: StreamElementType.Records, values: [v], timestamps: [0] });
const barrier = (id: number): BarrierElement => ({ type: StreamElementType.Barrier, checkpointId: id, timestamp: 0 });

/** Feeds items like the task loop does; returns processed record values and checkpoints in order. */
function drive(channels: number, input: [number, StreamElement][]): string[] {
  const processed: string[] = [];
  const h: BarrierHandler = new BarrierTracker(channels, (b) => processed.push(`cp${b.checkpointId}`));
  const queue: InputItem[] = input.map(([channel, element]) => ({ channel, element }));
  let i = 0;
  for (;;) {
    const item = h.nextReplay() ?? queue[i++];
    if (!item) break;
    if (!h.accept(item)) continue;
    const e = item.element;
    if (e.type === 'barrier') h.onBarrier(item.channel, e);
    else if (e.type === 'end-of-partition') h.onEndOfPartition(item.channel);
    else if (e.type === 'records') processed.push(`${item.channel}:${e.values[0]}`);
  }
  return processed;
}

describe('BarrierTracker (at-least-once)', () => {
  it('never holds records back; the checkpoint is taken when the last channel delivered the barrier', () => {
    expect(
      drive(2, [
        [0, rec(1)],
        [0, barrier(1)],
        [0, rec(2)], // processed at once (exactly-once would hold it until channel 1's barrier)
        [1, rec(10)],
        [1, barrier(1)],
        [1, rec(11)],
      ]),
    ).toEqual(['0:1', '0:2', '1:10', 'cp1', '1:11']);
  });

  it('ended channels complete waiting checkpoints; a completed newer checkpoint drops older ones', () => {
    expect(
      drive(3, [
        [0, barrier(1)],
        [1, barrier(1)],
        [0, barrier(2)],
        [1, barrier(2)],
        [2, { type: StreamElementType.EndOfPartition }], // completes 1, then 2
        [0, barrier(3)],
        [0, barrier(4)],
        [1, barrier(4)], // 4 completes (channel 2 ended) before 3: 3 is given up
        [1, barrier(3)], // late: ignored
      ]),
    ).toEqual(['cp1', 'cp2', 'cp4']);
  });
});
