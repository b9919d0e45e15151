import { WaitTimeoutError } from './infra.errors';
import { waitFor } from './wait-for.util';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? 'ready' : undefined), { description: 'x', intervalMs: 1 })).resolves.toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what it waited for, and the last error, when the deadline passes', async () => {
    const wait = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { description: 'the thing to answer', timeoutMs: 30, intervalMs: 5 },
    );
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(wait).rejects.toThrow(/waiting for the thing to answer \(last error: connection refused\)/);
  });

  it('fails at once with the abort error', async () => {
    const abort = new Error('process exited');
    await expect(waitFor(() => false, { description: 'x', timeoutMs: 10_000, abortIf: () => abort })).rejects.toBe(abort);
  });
});
