import { getEventListeners } from 'node:events';
import { abortableSleep } from './abortable-sleep';

describe('abortableSleep', () => {
  it('leaves no listener on the signal after each wait, however many', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 15; i++) await abortableSleep(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the signal aborts, and right away on an aborted one', async () => {
    // Without the abort either wait takes 60 s, past the test's timeout.
    const stop = new AbortController();
    const waiting = abortableSleep(60_000, stop.signal);
    stop.abort();
    await waiting;
    await abortableSleep(60_000, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
