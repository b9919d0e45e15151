// The leader election while its KV bucket is unavailable for a while (a JetStream stream-leader
// election on a NATS cluster): a fake bucket, a fake clock. The real-NATS behaviour is in
// nats-kv-leader-election.spec.ts and the 3-node e2e (nats-cluster.e2e.spec.ts).
import type { KvEntry } from 'nats';
import { DEFAULT_LEADER_LEASE_MS, LeaderKv, LeadershipLostError, NatsKvLeaderElection, leaseTiming } from './nats-kv-leader-election';

const LEASE_MS = DEFAULT_LEADER_LEASE_MS;
const KEY = 'resourcemanager';

/** What nats.js throws for a JetStream API error code. */
function apiError(errCode: number, message: string): Error {
  return Object.assign(new Error(message), { api_error: { code: 400, err_code: errCode, description: message } });
}
const wrongLastSequence = () => apiError(10071, 'wrong last sequence');
const unavailable = () => Object.assign(new Error('503'), { code: '503' });

/** One key's worth of a KV bucket with max_age = the lease, on the (fake) clock. */
class FakeKv implements LeaderKv {
  value?: string;
  revision = 0;
  writtenAt = 0;
  /** While set, every request fails this way (without touching the key). */
  failure?: () => Error;
  /** The next update is written but its reply is lost (a timeout). */
  loseNextReply = false;
  updates = 0;

  private live(): boolean {
    return this.value !== undefined && Date.now() - this.writtenAt < LEASE_MS;
  }

  private write(value: string): number {
    this.value = value;
    this.writtenAt = Date.now();
    return ++this.revision;
  }

  async create(_key: string, value: string): Promise<number> {
    if (this.failure) throw this.failure();
    if (this.live()) throw wrongLastSequence();
    return this.write(value);
  }

  async update(_key: string, value: string, revision?: number): Promise<number> {
    if (this.failure) throw this.failure();
    this.updates++;
    if (!this.live() || revision !== this.revision) throw wrongLastSequence();
    const written = this.write(value);
    if (this.loseNextReply) {
      this.loseNextReply = false;
      throw Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' });
    }
    return written;
  }

  async get(): Promise<KvEntry | null> {
    if (this.failure) throw this.failure();
    if (!this.live()) return null;
    const value = this.value!;
    return { operation: 'PUT', revision: this.revision, string: () => value } as unknown as KvEntry;
  }

  async delete(): Promise<void> {
    this.value = undefined;
  }

  async status(): Promise<{ ttl: number }> {
    return { ttl: LEASE_MS };
  }

  /** Someone else takes the key (as a standby would once it expired). */
  takeOver(by: string): void {
    this.write(by);
  }
}

describe('NatsKvLeaderElection while its KV is unavailable', () => {
  const timing = leaseTiming(LEASE_MS);
  let kv: FakeKv;
  let election: NatsKvLeaderElection;
  let lost: LeadershipLostError[];
  let warnings: string[];

  beforeEach(async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    kv = new FakeKv();
    lost = [];
    warnings = [];
    election = new NatsKvLeaderElection(undefined, {
      key: KEY,
      candidateId: 'rm-a',
      leaseMs: LEASE_MS,
      openBucket: async () => kv,
      log: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    election.onLost((error) => lost.push(error));
    await election.campaign();
    expect(election.isLeader).toBe(true);
  });

  afterEach(() => {
    election.stop();
    jest.useRealTimers();
  });

  /** Advances the clock in small steps, checking after each that the leader still leads. */
  async function stillLeadingFor(ms: number): Promise<void> {
    for (let passed = 0; passed < ms; passed += 100) {
      await jest.advanceTimersByTimeAsync(100);
      expect({ at: passed + 100, leading: election.isLeader, lost: lost.map((e) => e.message) }).toEqual({ at: passed + 100, leading: true, lost: [] });
    }
  }

  it('renews every lease/6 while the KV answers', async () => {
    await stillLeadingFor(3 * LEASE_MS);
    expect(kv.updates).toBeGreaterThanOrEqual(17);
    expect(kv.value).toBe('rm-a');
  });

  it.each([
    ['503 (no stream leader)', unavailable],
    ['timeouts', () => Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' })],
    ['no responders', () => Object.assign(new Error('503'), { code: '503', name: 'NatsError' })],
  ])('keeps leading through %s shorter than the lease allows, then renews again', async (_what, failure) => {
    // Fail just after a renewal: the outage may last until lease - margin after it.
    await jest.advanceTimersByTimeAsync(timing.renewEveryMs + 1);
    const renewedAt = kv.writtenAt;
    kv.failure = failure;
    const outageMs = LEASE_MS - timing.marginMs - (Date.now() - renewedAt) - 2 * timing.retryMs;
    expect(outageMs).toBeGreaterThan(5_000); // a nats-server 2.9 election (2–5 s) fits
    await stillLeadingFor(outageMs);
    kv.failure = undefined;
    await stillLeadingFor(2 * LEASE_MS);
    expect(kv.value).toBe('rm-a');
    expect(kv.writtenAt).toBeGreaterThan(renewedAt + outageMs);
    expect(warnings.filter((w) => /could not renew/.test(w))).toHaveLength(1);
  });

  it('with the default lease, rides out a 10 s outage that starts just before a renewal was due', async () => {
    // The worst case: the KV fails right before the next renewal, so the outage has the least of
    // the lease left. JetStream took up to 7.8 s to elect the bucket's new stream leader after a
    // node's SIGKILL (nats-server 2.9.10); with the former 10 s lease renewed every lease/4 only
    // 6.5 s were left, and a ResourceManager exited when an election took 6.6 s.
    await jest.advanceTimersByTimeAsync(timing.renewEveryMs + 1);
    const renewedAt = kv.writtenAt;
    await jest.advanceTimersByTimeAsync(timing.renewEveryMs - 2 * timing.checkEveryMs);
    expect(kv.writtenAt).toBe(renewedAt);
    kv.failure = unavailable;
    await stillLeadingFor(10_000);
    kv.failure = undefined;
    await stillLeadingFor(LEASE_MS);
    expect(kv.writtenAt).toBeGreaterThan(renewedAt + 10_000);
  });

  it('steps down once another candidate could take the key (lease - margin after the last renewal), not before', async () => {
    await jest.advanceTimersByTimeAsync(timing.renewEveryMs + 1);
    const renewedAt = kv.writtenAt;
    kv.failure = unavailable;
    const stepDownAt = renewedAt + LEASE_MS - timing.marginMs;
    await jest.advanceTimersByTimeAsync(stepDownAt - Date.now() - timing.checkEveryMs - 1);
    expect(election.isLeader).toBe(true);
    await jest.advanceTimersByTimeAsync(2 * timing.checkEveryMs + 1);
    expect(election.isLeader).toBe(false);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(LeadershipLostError);
    expect(lost[0].message).toMatch(new RegExp(`no successful renewal for \\d+ ms \\(lease ${LEASE_MS} ms\\)`));
    // Before the key itself could have expired on the server.
    expect(Date.now()).toBeLessThan(renewedAt + LEASE_MS);
  });

  it('a renewal written but unanswered is its own: the leader adopts the newer revision', async () => {
    kv.loseNextReply = true;
    await stillLeadingFor(3 * LEASE_MS);
    expect(kv.value).toBe('rm-a');
    expect(lost).toEqual([]);
  });

  it('a key taken over by another is lost at the next renewal', async () => {
    kv.takeOver('rm-b');
    await jest.advanceTimersByTimeAsync(timing.renewEveryMs + 1);
    expect(election.isLeader).toBe(false);
    expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/taken over by rm-b/)]);
  });
});
