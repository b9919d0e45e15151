import { FinalCheckpointGate } from './final-checkpoint';

/** Drives a gate the way a StreamTask does and records what the task did, in order. */
function harness(queued: number[] = []) {
  const gate = new FinalCheckpointGate();
  const steps: string[] = [];
  let ended = false;
  let requests = 0;
  const done = gate.run({
    perform: async (id, forward) => {
      gate.performed(id);
      steps.push(`${forward ? 'checkpoint' : 'ack'} ${id}`);
    },
    takeQueued: () => queued.splice(0),
    requestCheckpoint: () => requests++,
    endOfPartition: () => steps.push('end-of-partition'),
  }).then(() => (ended = true));
  return { gate, steps, done, ended: () => ended, requests: () => requests };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('FinalCheckpointGate', () => {
  it('waits for a trigger, checkpoints with a barrier, ends its output, and ends only once that checkpoint completed', async () => {
    const h = harness();
    await turn();
    expect(h.steps).toEqual([]);
    // Nothing to take: the coordinator is asked once (a long interval would keep the job from ending).
    expect(h.requests()).toBe(1);
    h.gate.completedUpTo(1); // a wake-up that is not a trigger asks no more
    await turn();
    expect(h.requests()).toBe(1);
    h.gate.triggered(4);
    await turn();
    expect(h.steps).toEqual(['checkpoint 4', 'end-of-partition']);
    // A later checkpoint before 4 completes: acknowledged without a barrier (the output has ended).
    h.gate.triggered(5);
    await turn();
    expect(h.steps).toEqual(['checkpoint 4', 'end-of-partition', 'ack 5']);
    h.gate.completedUpTo(3);
    await turn();
    expect(h.ended()).toBe(false);
    h.gate.completedUpTo(4);
    await h.done;
    expect(h.ended()).toBe(true);
  });

  it('uses a trigger that came before the input ended, unless its barrier was taken already', async () => {
    const gate0 = new FinalCheckpointGate();
    gate0.triggered(2); // while the input still ran, its barrier never came
    const early = { gate: gate0, steps: [] as string[], done: Promise.resolve() };
    early.done = gate0.run({ perform: async (id) => void (gate0.performed(id), early.steps.push(`checkpoint ${id}`)), takeQueued: () => [], requestCheckpoint: () => early.steps.push('request'), endOfPartition: () => early.steps.push('end-of-partition') });
    await turn();
    expect(early.steps).toEqual(['checkpoint 2', 'end-of-partition']);
    early.gate.completedUpTo(2);
    await early.done;

    const gate = new FinalCheckpointGate();
    gate.triggered(3);
    gate.performed(3); // the barrier of 3 came through the input
    const steps: string[] = [];
    const done = gate.run({ perform: async (id) => void (gate.performed(id), steps.push(`checkpoint ${id}`)), takeQueued: () => [], requestCheckpoint: () => steps.push('request'), endOfPartition: () => steps.push('eop') });
    await turn();
    expect(steps).toEqual(['request']);
    gate.triggered(4);
    await turn();
    expect(steps).toEqual(['request', 'checkpoint 4', 'eop']);
    gate.completedUpTo(4);
    await done;
  });

  it('takes the queued triggers of a source in order, and stops waiting when cancelled', async () => {
    const h = harness([6, 7]);
    await turn();
    expect(h.steps).toEqual(['checkpoint 6', 'checkpoint 7', 'end-of-partition']);
    expect(h.requests()).toBe(0);
    h.gate.cancel();
    await h.done;
    expect(h.ended()).toBe(true);
  });
});
