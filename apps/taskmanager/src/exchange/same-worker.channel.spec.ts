import { ChannelPairs } from './channel-pairs';
import { SameWorkerChannels, sameWorkerChannel } from './same-worker.channel';

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('same-worker channel', () => {
  it('delivers in order, after the posting call returns, by reference, both ways', async () => {
    const [producer, consumer] = sameWorkerChannel();
    const got: unknown[] = [];
    const credits: number[] = [];
    consumer.on('message', (v: unknown) => {
      got.push(v);
      consumer.postMessage(got.length);
    });
    producer.on('message', (n: number) => credits.push(n));
    const batch = { type: 'records', values: [1, 2] };
    producer.postMessage(batch);
    producer.postMessage('second');
    expect(got).toEqual([]); // not inside postMessage: neither end runs inside the other's call
    await settle();
    expect(got).toEqual([batch, 'second']);
    expect(got[0]).toBe(batch);
    expect(credits).toEqual([1, 2]);
  });

  it('keeps what arrives before a listener, and drops everything once an end is closed', async () => {
    const [producer, consumer] = sameWorkerChannel();
    producer.postMessage('early');
    await settle();
    const got: unknown[] = [];
    consumer.on('message', (v: unknown) => got.push(v));
    await settle();
    expect(got).toEqual(['early']);
    consumer.close();
    producer.postMessage('late');
    await settle();
    expect(got).toEqual(['early']);
  });

  it('pairs the two ends of a channel whichever is deployed first, each end once', async () => {
    const channels = new SameWorkerChannels();
    const key = ChannelPairs.key('j', 0, 1, 0, 0);
    const consumer = channels.take(key, 'consumer');
    const producer = channels.take(key, 'producer');
    const got: unknown[] = [];
    consumer.on('message', (v: unknown) => got.push(v));
    producer.postMessage('x');
    await settle();
    expect(got).toEqual(['x']);
    // Another channel of the job, one end only: released with the job.
    const other = ChannelPairs.key('j', 0, 1, 0, 1);
    channels.take(other, 'producer');
    expect(() => channels.take(other, 'producer')).toThrow(/already has a producer/);
    channels.releaseJob('j');
    expect(() => channels.take(other, 'producer')).not.toThrow(); // a new pair
  });
});
