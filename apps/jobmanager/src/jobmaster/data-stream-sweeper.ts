/**
 * Deletes orphaned data streams periodically: this cluster's `runnel-data-<job>-<attempt>` streams
 * (and with them their consumers) whose job attempt the JobManager does not run — a clean-up
 * that failed (NATS unreachable at the job's end), a JobManager that died between creating a
 * stream and recording it, a job the recovery failed. Recovery sweeps the streams of the jobs it
 * takes over; this catches the rest, while the cluster runs. Only the leader sweeps (it alone
 * knows which attempts run), and a stream younger than one interval is left alone: its attempt
 * may be starting on this JobManager right now.
 */
import { ClusterNamespace, JobId, JobIds } from '@runnel/protocol';
import { NatsConnection } from 'nats';

/** What the sweeper needs to know of the jobs: is this the current attempt of a job that runs (or is recovered) here? */
export interface LiveAttempts {
  isLive(jobId: JobId, attempt: number): boolean;
}

export class DataStreamSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<string[]>;

  constructor(
    private readonly connection: NatsConnection,
    private readonly namespace: ClusterNamespace,
    private readonly jobs: LiveAttempts,
    private readonly intervalMs: number,
    private readonly log: { log(message: string): void; warn(message: string): void },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts sweeping every interval (0: never). */
  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.log.warn(`orphaned data streams: ${error.message}`)), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; returns the names of the streams it deleted. */
  sweep(): Promise<string[]> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<string[]> {
    const jsm = await this.connection.jetstreamManager();
    const deleted: string[] = [];
    const youngerThan = this.clock() - this.intervalMs;
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name;
      const candidate = /-([0-9a-f]{32})-\d+/.exec(name)?.[1];
      const jobId = JobIds.isValid(candidate) ? candidate : undefined;
      // Only this cluster's data streams: the namespace checks the prefix and the cluster suffix.
      const attempt = jobId === undefined ? undefined : this.namespace.data.attemptOf(name, jobId);
      if (jobId === undefined || attempt === undefined || this.jobs.isLive(jobId, attempt)) continue;
      if (Date.parse(stream.created) > youngerThan) continue;
      try {
        await jsm.streams.delete(name);
        deleted.push(name);
      } catch (error) {
        if (!/stream not found/i.test((error as Error).message)) this.log.warn(`could not delete orphaned data stream ${name}: ${(error as Error).message}`);
      }
    }
    if (deleted.length) this.log.log(`deleted ${deleted.length} orphaned data stream(s): ${deleted.join(', ')}`);
    return deleted;
  }
}
