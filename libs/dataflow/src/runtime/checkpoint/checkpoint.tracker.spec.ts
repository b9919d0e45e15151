import { CheckpointTracker, checkpointSettings, type CheckpointSettings, type PendingCheckpoint } from './checkpoint.tracker';

const settings = (s: Partial<CheckpointSettings> = {}): CheckpointSettings => ({
  intervalMs: 1_000_000, mode: 'exactly-once', timeoutMs: 60_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 1, retained: 1, ...s,
});

function setup(s: Partial<CheckpointSettings> = {}, hooks: { dispatch?: (p: PendingCheckpoint<string, string[]>) => void | Promise<void>; completed?: () => void } = {}) {
  let now = 1000;
  const tasks = ['a', 'b'];
  const dispatched: number[] = [];
  const completed: number[] = [];
  const failed: [number, string][] = [];
  const tooMany: string[] = [];
  let participating = true;
  const tracker: CheckpointTracker<string, string[], string> = new CheckpointTracker(settings(s), {
    clock: () => now,
    participants: () => (participating ? tasks : undefined),
    open: (): string[] => [],
    dispatch: async (p) => {
      dispatched.push(p.id);
      await hooks.dispatch?.(p);
    },
    acknowledged: (p, ack) => void p.data.push(ack),
    persist: async () => undefined,
    completed: async (p) => {
      hooks.completed?.();
      completed.push(p.id);
      return `cp-${p.id}:${p.data.sort().join(',')}`;
    },
    failed: (p, reason) => void failed.push([p.id, reason]),
    tooManyFailures: (reason) => void tooMany.push(reason),
  });
  const ackAll = async (id: number) => {
    for (const t of tasks) await tracker.acknowledge(t, id, `${t}${id}`);
  };
  return { tracker, dispatched, completed, failed, tooMany, ackAll, advance: (ms: number) => (now += ms), stopParticipating: () => (participating = false) };
}

describe('CheckpointTracker', () => {
  it('completes once every task acknowledged (each once), and admits one at a time after the minimum pause', async () => {
    const t = setup({ minPauseMs: 100 });
    expect(await t.tracker.trigger()).toBe(1);
    expect(await t.tracker.trigger()).toBeUndefined(); // maxConcurrent 1
    await t.tracker.acknowledge('a', 1, 'a1');
    await t.tracker.acknowledge('a', 1, 'again');
    expect(t.completed).toEqual([]);
    await t.tracker.acknowledge('b', 1, 'b1');
    expect(t.completed).toEqual([1]);
    expect(await t.tracker.trigger()).toBeUndefined(); // within the pause
    expect(await t.tracker.trigger({ force: true })).toBe(2); // a manual one is not held back
    t.advance(100);
    await t.ackAll(2);
    expect(await t.tracker.trigger()).toBeUndefined(); // the pause runs from the last completion
    t.advance(100);
    expect(await t.tracker.trigger()).toBe(3);
    expect([t.tracker.triggeredCount, t.tracker.completedCount]).toEqual([3, 2]);
  });

  it('takeNow resolves with what the owner made of it, rejects with the reason, or says none could be taken', async () => {
    const t = setup();
    const first = t.tracker.takeNow();
    await Promise.resolve();
    await t.ackAll(1);
    await expect(first).resolves.toBe('cp-1:a1,b1');
    const second = t.tracker.takeNow();
    await new Promise((r) => setImmediate(r));
    t.tracker.decline(2, 'no room');
    await expect(second).rejects.toThrow('no room');
    t.stopParticipating();
    await expect(t.tracker.takeNow()).resolves.toBeUndefined();
  });

  it('a checkpoint declined while it is dispatched rejects its caller', async () => {
    // One task refuses at once, the other answers later (an RPC): the caller awaits the dispatch meanwhile.
    const t = setup({}, {
      dispatch: async (p) => {
        t.tracker.decline(p.id, 'unreachable');
        await new Promise((r) => setTimeout(r, 10));
      },
    });
    await expect(t.tracker.takeNow()).rejects.toThrow('unreachable');
    expect(t.tracker.inProgress).toBe(0);
  });

  it('a commit that throws rejects its caller instead of leaving it waiting', async () => {
    const t = setup({}, { completed: () => { throw new Error('commit failed'); } });
    const taken = t.tracker.takeNow();
    await Promise.resolve();
    await t.tracker.acknowledge('a', 1, 'a1');
    await expect(t.tracker.acknowledge('b', 1, 'b1')).rejects.toThrow('commit failed');
    await expect(taken).rejects.toThrow('commit failed');
  });

  it('counts failures in a row past the tolerable number; a completion resets the run; stop() does not count', async () => {
    const t = setup({ tolerableFailures: 1 });
    await t.tracker.trigger();
    t.tracker.decline(1, 'x');
    await t.tracker.trigger();
    await t.ackAll(2);
    await t.tracker.trigger();
    t.tracker.decline(3, 'y');
    expect(t.tooMany).toEqual([]);
    await t.tracker.trigger();
    t.tracker.stop('restart');
    await t.tracker.trigger();
    t.tracker.decline(5, 'not counted', false);
    expect(t.tooMany).toEqual([]);
    await t.tracker.trigger();
    t.tracker.decline(6, 'z');
    expect(t.tooMany).toEqual(['2 checkpoints failed in a row (tolerable: 1); the last: z']);
    expect(t.failed.map(([id]) => id)).toEqual([1, 3, 4, 5, 6]);
  });

  it('expires a checkpoint not acknowledged in time', async () => {
    const t = setup({ timeoutMs: 20, tolerableFailures: 5 });
    await t.tracker.trigger();
    await t.tracker.acknowledge('a', 1, 'a1');
    const deadline = Date.now() + 5000;
    while (t.failed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(t.failed).toEqual([[1, 'expired after 20 ms']]);
    await t.tracker.acknowledge('b', 1, 'b1');
    expect(t.completed).toEqual([]);
  });

  it('reads Flink defaults from a JobGraph: off without an interval, two retained with one', () => {
    const graph = (checkpointing?: object) => ({ jobName: 'j', config: { parallelism: 1, maxParallelism: 128, ...(checkpointing ? { checkpointing } : {}) }, vertices: [], edges: [] }) as never;
    expect(checkpointSettings(graph())).toMatchObject({ intervalMs: 0, retained: 1 });
    expect(checkpointSettings(graph({ intervalMs: 500, mode: 'at-least-once' }))).toMatchObject({ intervalMs: 500, mode: 'at-least-once', retained: 2, tolerableFailures: 3, timeoutMs: 600_000 });
  });
});
