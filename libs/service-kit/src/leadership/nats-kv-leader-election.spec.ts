// Leader election against a real NATS server (JetStream), each test with a bucket of its own.
import { randomBytes } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import { LeadershipLostError, NatsKvLeaderElection } from './nats-kv-leader-election';

const NATS_URL = process.env['RUNNEL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const LEASE_MS = 900;

describe('NatsKvLeaderElection', () => {
  let nc: NatsConnection;
  let bucket: string;
  const elections: NatsKvLeaderElection[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, name: 'leader-election-spec' });
  });

  beforeEach(() => {
    bucket = `runnel-leaders-test-${randomBytes(4).toString('hex')}`;
  });

  afterEach(async () => {
    for (const e of elections.splice(0)) e.stop();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  });

  afterAll(async () => {
    await nc.drain();
  });

  function candidate(id: string, options: { leaseMs?: number; connection?: NatsConnection } = {}): NatsKvLeaderElection {
    const e = new NatsKvLeaderElection(options.connection ?? nc, { key: 'jobmanager', candidateId: id, leaseMs: options.leaseMs ?? LEASE_MS, bucket });
    elections.push(e);
    return e;
  }

  async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('elects one leader; the standby knows who it is and does not win while the leader refreshes', async () => {
    const a = candidate('a');
    await within(a.campaign(), 2_000, 'a winning');
    expect(a.isLeader).toBe(true);

    const b = candidate('b');
    let bWon = false;
    void b.campaign().then(() => (bWon = true), () => undefined);
    expect(await b.currentLeader()).toBe('a');
    // Three leases: the key would have expired long ago without the refreshes.
    await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_MS));
    expect(bWon).toBe(false);
    expect(a.isLeader).toBe(true);
  });

  it('a standby takes over within about a lease when the leader stops refreshing (a crash)', async () => {
    const a = candidate('a');
    await a.campaign();
    const b = candidate('b');
    const bWins = b.campaign();
    const crashedAt = Date.now();
    a.stop();
    await within(bWins, 3 * LEASE_MS, 'b taking over');
    const took = Date.now() - crashedAt;
    expect(took).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 500);
    expect(await b.currentLeader()).toBe('b');
  });

  it('a leader that resigns hands over at once', async () => {
    const a = candidate('a', { leaseMs: 5_000 });
    await a.campaign();
    const b = candidate('b', { leaseMs: 5_000 });
    const bWins = b.campaign();
    await a.resign();
    await within(bWins, 3_000, 'b taking over after a resigned');
    expect(await b.currentLeader()).toBe('b');
  });

  it('a leader that cannot refresh within the lease steps down', async () => {
    const own = await connect({ servers: NATS_URL, name: 'leader-election-spec-cut' });
    const a = candidate('a', { connection: own });
    await a.campaign();
    const lost = new Promise<LeadershipLostError>((resolve) => a.onLost(resolve));
    const cutAt = Date.now();
    await own.close();
    const error = await within(lost, 3 * LEASE_MS, 'a stepping down');
    expect(error).toBeInstanceOf(LeadershipLostError);
    expect(error.code).toBe('LEADERSHIP_LOST');
    expect(Date.now() - cutAt).toBeLessThanOrEqual(LEASE_MS + 200);
    expect(a.isLeader).toBe(false);
  });

  it('a leader whose key was taken over learns it at its next refresh', async () => {
    const a = candidate('a');
    await a.campaign();
    const lost = new Promise<LeadershipLostError>((resolve) => a.onLost(resolve));
    // Someone else forces the key (as if a's lease had expired unnoticed).
    const js = nc.jetstream();
    const kv = await js.views.kv(bucket);
    await kv.put('jobmanager', 'intruder');
    const error = await within(lost, 2 * LEASE_MS, 'a noticing the take-over');
    expect(error.message).toMatch(/taken over by intruder/);
  });

  it('uses the bucket\'s lease when its own differs', async () => {
    const a = candidate('a');
    await a.campaign();
    const b = candidate('b', { leaseMs: 10_000 });
    void b.campaign().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.effectiveLeaseMs).toBe(LEASE_MS);
  });
});
