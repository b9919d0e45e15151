/**
 * Leader election on a NATS KV bucket, so a service can run as several instances with one leader
 * and no ZooKeeper. It owns the lease protocol:
 *
 * - The bucket (`runnel-leaders`, `runnel-leaders-<id>` for another CLUSTER_ID) has `max_age` = the lease: nats-server 2.9 has no per-key TTL,
 *   so a value nobody rewrites disappears one lease after its last write.
 * - A candidate takes the key with `create` (refused while someone holds it); the leader rewrites
 *   it every lease/3 with `update(key, id, lastRevision)` — a compare-and-set, so a leader whose
 *   key was taken over learns it at its next refresh. Standbys retry `create` every lease/3.
 * - A leader that cannot refresh within the lease (counted from the moment its last successful
 *   refresh was *sent*, which is no later than the server's write) has lost: listeners are told,
 *   and the service exits (fail-fast, like Flink's JobManager; the supervisor restarts it).
 * - resign() deletes the key with the leader's revision, so a standby takes over at once.
 *
 * The bucket's lease is fixed by whoever created it; a candidate configured with another one uses
 * the bucket's (and says so), because the key expires on the bucket's clock, not ours.
 */
import { KV, NatsConnection, NatsError } from 'nats';

export const LEADER_BUCKET = 'runnel-leaders';

/** The lease of this candidate expired (or another candidate holds the key now). */
export class LeadershipLostError extends Error {
  readonly code = 'LEADERSHIP_LOST';
  constructor(message: string) {
    super(message);
    this.name = 'LeadershipLostError';
  }
}

export interface LeaderElectionLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface LeaderElectionOptions {
  /** Key of the service, e.g. `jobmanager`. */
  readonly key: string;
  /** This instance's id: the key's value while it leads. */
  readonly candidateId: string;
  readonly leaseMs: number;
  /** Default `runnel-leaders`; tests use their own. */
  readonly bucket?: string;
  /** Copies JetStream keeps of the bucket when this creates it (JETSTREAM_REPLICAS; default 1). */
  readonly replicas?: number;
  readonly log?: LeaderElectionLog;
  /** Called when a standby sees who leads (also when that changes). */
  readonly onStandby?: (leaderId: string | undefined) => void;
}

/** JetStream's "wrong last sequence": the compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;

export class NatsKvLeaderElection {
  private kv?: KV;
  private leaseMs: number;
  private revision = 0;
  private lastRefreshSentAt = 0;
  private leading = false;
  private stopped = false;
  private refreshTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private refreshing = false;
  private lastSeenLeader?: string;
  private readonly lostListeners: Array<(error: LeadershipLostError) => void> = [];
  private readonly log: LeaderElectionLog;

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: LeaderElectionOptions,
  ) {
    this.leaseMs = options.leaseMs;
    this.log = options.log ?? { info: () => undefined, warn: () => undefined };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The lease in force: the bucket's max_age once known. */
  get effectiveLeaseMs(): number {
    return this.leaseMs;
  }

  onLost(listener: (error: LeadershipLostError) => void): void {
    this.lostListeners.push(listener);
  }

  /** Resolves once this candidate holds the key (then keeps refreshing it); rejects when stopped. */
  async campaign(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('leader election stopped');
      try {
        const kv = await this.bucket();
        const sentAt = Date.now();
        this.revision = await kv.create(this.options.key, this.options.candidateId);
        this.lastRefreshSentAt = sentAt;
        this.becomeLeader();
        return;
      } catch (error) {
        if (this.stopped) throw new Error('leader election stopped');
        if (isWrongLastSequence(error)) await this.noteLeader();
        else this.log.warn(`leader election for ${this.options.key}: ${(error as Error).message}; retrying`);
      }
      await sleep(this.retryMs());
    }
  }

  /** Who holds the key now (undefined: nobody, or NATS does not answer). */
  async currentLeader(): Promise<string | undefined> {
    try {
      const entry = await (await this.bucket()).get(this.options.key);
      return entry && entry.operation === 'PUT' ? entry.string() : undefined;
    } catch {
      return undefined;
    }
  }

  /** Gives the leadership up: stops refreshing and deletes the key (if still ours), so a standby takes over now. */
  async resign(): Promise<void> {
    const wasLeader = this.leading;
    this.stop();
    if (!wasLeader || !this.kv) return;
    try {
      await this.kv.delete(this.options.key, { previousSeq: this.revision });
      this.log.info(`resigned the leadership of ${this.options.key}`);
    } catch (error) {
      this.log.warn(`could not resign the leadership of ${this.options.key}: ${(error as Error).message}`);
    }
  }

  /** Stops campaigning and refreshing without touching the key (it expires by itself). */
  stop(): void {
    this.stopped = true;
    this.leading = false;
    clearInterval(this.refreshTimer);
    clearInterval(this.watchdog);
  }

  private async bucket(): Promise<KV> {
    if (this.kv) return this.kv;
    const js = this.connection.jetstream({ timeout: Math.max(250, Math.floor(this.options.leaseMs / 3)) });
    const kv = await js.views.kv(this.options.bucket ?? LEADER_BUCKET, { history: 1, ttl: this.options.leaseMs, replicas: this.options.replicas ?? 1 });
    const ttl = (await kv.status()).ttl;
    if (ttl > 0 && ttl !== this.options.leaseMs) {
      this.log.warn(`bucket ${this.options.bucket ?? LEADER_BUCKET} has a lease (max_age) of ${ttl} ms, not the configured ${this.options.leaseMs} ms; using ${ttl} ms`);
      this.leaseMs = ttl;
    }
    this.kv = kv;
    return kv;
  }

  private retryMs(): number {
    return Math.max(50, Math.floor(this.leaseMs / 3));
  }

  private async noteLeader(): Promise<void> {
    const leader = await this.currentLeader();
    if (leader !== this.lastSeenLeader) {
      this.lastSeenLeader = leader;
      this.log.info(`standby for ${this.options.key}: the leader is ${leader ?? 'unknown'}`);
    }
    this.options.onStandby?.(leader);
  }

  private becomeLeader(): void {
    this.leading = true;
    this.log.info(`${this.options.candidateId} is the leader of ${this.options.key} (lease ${this.leaseMs} ms)`);
    this.refreshTimer = setInterval(() => void this.refresh(), this.retryMs());
    this.watchdog = setInterval(() => this.checkLease(), Math.max(20, Math.floor(this.leaseMs / 10)));
    this.refreshTimer.unref();
    this.watchdog.unref();
  }

  private async refresh(): Promise<void> {
    if (!this.leading || this.refreshing || !this.kv) return;
    this.refreshing = true;
    const sentAt = Date.now();
    try {
      this.revision = await this.kv.update(this.options.key, this.options.candidateId, this.revision);
      this.lastRefreshSentAt = sentAt;
    } catch (error) {
      if (!this.leading) return;
      if (isWrongLastSequence(error)) {
        const holder = await this.currentLeader();
        this.lose(`the key ${this.options.key} was taken over${holder ? ` by ${holder}` : ''} (our lease had expired)`);
      } else {
        this.log.warn(`could not refresh the leadership of ${this.options.key}: ${(error as Error).message}`);
      }
    } finally {
      this.refreshing = false;
    }
  }

  private checkLease(): void {
    if (!this.leading) return;
    const silentMs = Date.now() - this.lastRefreshSentAt;
    if (silentMs >= this.leaseMs) this.lose(`no refresh of the lease for ${silentMs} ms (lease ${this.leaseMs} ms)`);
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.stop();
    const error = new LeadershipLostError(`${this.options.candidateId} lost the leadership of ${this.options.key}: ${reason}`);
    for (const listener of this.lostListeners) listener(error);
  }
}

function isWrongLastSequence(error: unknown): boolean {
  const apiError = (error as NatsError | undefined)?.api_error;
  return apiError?.err_code === WRONG_LAST_SEQUENCE;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
