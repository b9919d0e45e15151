/**
 * Leader election on a NATS KV bucket, so a service can run as several instances with one leader
 * and no ZooKeeper. It owns the lease protocol:
 *
 * - The bucket (`runnel-leaders`, `runnel-leaders-<id>` for another CLUSTER_ID) has `max_age` = the lease: nats-server 2.9 has no per-key TTL,
 *   so a value nobody rewrites disappears one lease after its last write. It has JETSTREAM_REPLICAS copies.
 * - A candidate takes the key with `create` (refused while someone holds it); the leader rewrites
 *   it every lease/6 with `update(key, id, lastRevision)` — a compare-and-set, so a leader whose
 *   key was taken over learns it at its next renewal. Standbys retry `create` every lease/6.
 * - The KV may be unavailable for a while without anyone having taken the key: on a NATS cluster,
 *   losing the node that leads the bucket's stream makes it answer 503, time out or have no
 *   responders until JetStream elects a new stream leader (measured 4.4–7.8 s from a SIGKILL on
 *   nats-server 2.9.10, loaded machine). The leader keeps leading through that, retrying its renewal every
 *   lease/20, for as long as no other candidate could have taken the key: until its last
 *   successful renewal (counted from when it was *sent*, which is no later than the server's
 *   write) plus the lease minus a margin (lease/10, for the replicas' clocks and our timers).
 *   Then it has lost: listeners are told, and the service exits (fail-fast, like Flink's
 *   JobManager; the supervisor restarts it).
 * - A renewal whose reply was lost (a timeout across an election) may have been written: the next
 *   compare-and-set then fails, and the leader finds its own id under a newer revision and adopts
 *   it instead of stepping down. Another id there means the key was taken over: lost at once.
 * - resign() deletes the key with the leader's revision, so a standby takes over at once.
 *
 * The bucket's lease is fixed by whoever created it; a candidate configured with another one uses
 * the bucket's (and says so), because the key expires on the bucket's clock, not ours.
 */
import { KV, KvEntry, KvOptions, NatsConnection, NatsError } from 'nats';

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

/** The part of a KV bucket the election uses (a fake in unit tests). */
export type LeaderKv = Pick<KV, 'create' | 'update' | 'get' | 'delete'> & { status(): Promise<{ readonly ttl: number }> };

/** Opens (or creates) the bucket; requests on it time out after `timeoutMs`. */
export type LeaderKvOpener = (bucket: string, options: Partial<KvOptions>, timeoutMs: number) => Promise<LeaderKv>;

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
  /** Default: the bucket on `connection` (unit tests give a fake). */
  readonly openBucket?: LeaderKvOpener;
}

/**
 * The default lease. A KV outage that starts just before a renewal was due is ridden out when it
 * is shorter than lease − margin − renewal interval (15 − 1.5 − 2.5 = 11 s): JetStream's election
 * of the bucket's stream leader took up to 7.8 s after a node's SIGKILL here. The earlier 10 s
 * lease (renewals every lease/4) left 6.5 s, and a ResourceManager lost its leadership in an e2e
 * run where the election took 6.6 s, 2.5 s after its last renewal. A standby waits up to a lease
 * for a crashed leader's key to expire: 15 s, as Flink's default Kubernetes lease.
 */
export const DEFAULT_LEADER_LEASE_MS = 15_000;

/** How the lease is spent, all derived from it (documented in the README's high-availability section). */
export function leaseTiming(leaseMs: number) {
  return {
    /**
     * A leader renews (and a standby tries to take the key) this often. Every lease/6, not /4: the
     * time since the last renewal is what an outage has less to ride on.
     */
    renewEveryMs: Math.max(50, Math.floor(leaseMs / 6)),
    /** A failed renewal is retried this soon. */
    retryMs: Math.max(25, Math.floor(leaseMs / 20)),
    /** A KV request gives up after this long (then it is retried). */
    requestTimeoutMs: Math.max(250, Math.floor(leaseMs / 5)),
    /** A leader steps down this long before the key could expire on the server. */
    marginMs: Math.max(30, Math.floor(leaseMs / 10)),
    /** How often a leader checks its lease. */
    checkEveryMs: Math.max(10, Math.min(250, Math.floor(leaseMs / 20))),
  };
}

/** JetStream's "wrong last sequence": the compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;

export class NatsKvLeaderElection {
  private kv?: LeaderKv;
  private leaseMs: number;
  private revision = 0;
  private lastRenewSentAt = 0;
  private failingSince?: number;
  private leading = false;
  private stopped = false;
  private watchdog?: NodeJS.Timeout;
  private lastSeenLeader?: string;
  private readonly lostListeners: Array<(error: LeadershipLostError) => void> = [];
  private readonly log: LeaderElectionLog;
  private readonly openBucket: LeaderKvOpener;

  constructor(
    connection: NatsConnection | undefined,
    private readonly options: LeaderElectionOptions,
  ) {
    this.leaseMs = options.leaseMs;
    this.log = options.log ?? { info: () => undefined, warn: () => undefined };
    const open = options.openBucket ?? (connection ? natsBucketOpener(connection) : undefined);
    if (!open) throw new Error('NatsKvLeaderElection needs a NATS connection or openBucket');
    this.openBucket = open;
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

  /** Resolves once this candidate holds the key (then keeps renewing it); rejects when stopped. */
  async campaign(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('leader election stopped');
      try {
        const kv = await this.bucket();
        const sentAt = Date.now();
        this.revision = await kv.create(this.options.key, this.options.candidateId);
        this.lastRenewSentAt = sentAt;
        this.becomeLeader();
        return;
      } catch (error) {
        if (this.stopped) throw new Error('leader election stopped');
        if (isWrongLastSequence(error)) await this.noteLeader();
        else this.log.warn(`leader election for ${this.options.key}: ${(error as Error).message}; retrying`);
      }
      await sleep(this.timing().renewEveryMs);
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

  /** Gives the leadership up: stops renewing and deletes the key (if still ours), so a standby takes over now. */
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

  /** Stops campaigning and renewing without touching the key (it expires by itself). */
  stop(): void {
    this.stopped = true;
    this.leading = false;
    clearInterval(this.watchdog);
  }

  private timing() {
    return leaseTiming(this.leaseMs);
  }

  private async bucket(): Promise<LeaderKv> {
    if (this.kv) return this.kv;
    const name = this.options.bucket ?? LEADER_BUCKET;
    const kv = await this.openBucket(name, { history: 1, ttl: this.options.leaseMs, replicas: this.options.replicas ?? 1 }, leaseTiming(this.options.leaseMs).requestTimeoutMs);
    const ttl = (await kv.status()).ttl;
    if (ttl > 0 && ttl !== this.options.leaseMs) {
      this.log.warn(`bucket ${name} has a lease (max_age) of ${ttl} ms, not the configured ${this.options.leaseMs} ms; using ${ttl} ms`);
      this.leaseMs = ttl;
    }
    this.kv = kv;
    return kv;
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
    this.watchdog = setInterval(() => this.checkLease(), this.timing().checkEveryMs);
    this.watchdog.unref();
    void this.renewLoop();
  }

  private async renewLoop(): Promise<void> {
    while (this.leading) {
      const timing = this.timing();
      await sleep(this.failingSince === undefined ? timing.renewEveryMs : timing.retryMs);
      if (!this.leading) return;
      await this.renew();
    }
  }

  private async renew(): Promise<void> {
    const kv = this.kv!;
    const sentAt = Date.now();
    try {
      this.revision = await kv.update(this.options.key, this.options.candidateId, this.revision);
      this.lastRenewSentAt = sentAt;
      if (this.failingSince !== undefined) {
        this.log.info(`renewed the leadership of ${this.options.key} again after ${sentAt - this.failingSince} ms of failed renewals`);
        this.failingSince = undefined;
      }
    } catch (error) {
      if (!this.leading) return;
      if (isWrongLastSequence(error)) await this.checkHolder();
      else this.noteFailure(error, sentAt);
    }
  }

  /** The compare-and-set lost: either an earlier renewal went through unanswered (ours still), or another took the key. */
  private async checkHolder(): Promise<void> {
    let entry: KvEntry | null;
    try {
      entry = await this.kv!.get(this.options.key);
    } catch (error) {
      this.noteFailure(error, Date.now());
      return;
    }
    if (!this.leading) return;
    const holder = entry && entry.operation === 'PUT' ? entry.string() : undefined;
    if (entry && holder === this.options.candidateId) {
      // Our own write, its reply lost: adopt its revision. The lease still counts from the last
      // renewal we saw succeed (the lost one was sent later, so this is on the safe side).
      this.revision = entry.revision;
      this.failingSince ??= Date.now();
      return;
    }
    this.lose(holder ? `the key ${this.options.key} was taken over by ${holder} (our lease had expired)` : `the key ${this.options.key} expired or was deleted (our lease had expired)`);
  }

  private noteFailure(error: unknown, at: number): void {
    if (this.failingSince === undefined) {
      this.failingSince = at;
      const left = this.lastRenewSentAt + this.leaseMs - this.timing().marginMs - at;
      this.log.warn(`could not renew the leadership of ${this.options.key}: ${(error as Error).message}; retrying, still the leader for ${left} ms`);
    }
  }

  private checkLease(): void {
    if (!this.leading) return;
    const silentMs = Date.now() - this.lastRenewSentAt;
    if (silentMs >= this.leaseMs - this.timing().marginMs) {
      this.lose(`no successful renewal for ${silentMs} ms (lease ${this.leaseMs} ms): another candidate may take the key now`);
    }
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.stop();
    const error = new LeadershipLostError(`${this.options.candidateId} lost the leadership of ${this.options.key}: ${reason}`);
    for (const listener of this.lostListeners) listener(error);
  }
}

/** The bucket on a NATS connection, its requests timing out after `timeoutMs`. */
export function natsBucketOpener(connection: NatsConnection): LeaderKvOpener {
  return (bucket, options, timeoutMs) => connection.jetstream({ timeout: timeoutMs }).views.kv(bucket, options);
}

function isWrongLastSequence(error: unknown): boolean {
  const apiError = (error as NatsError | undefined)?.api_error;
  return apiError?.err_code === WRONG_LAST_SEQUENCE;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
