/**
 * Cleans up data streams periodically. This cluster's `runnel-data-<job>` streams (one per job, for
 * all its attempts) whose job the JobManager does not run are deleted, with their consumers — a
 * clean-up that failed (NATS unreachable at the job's end), a JobManager that died between
 * creating a stream and recording it, a job the recovery failed. Inside the stream of a job that
 * runs here, what belongs to attempts other than its current one is released (consumers deleted,
 * subjects purged): a release that failed when the attempt ended, or records an old attempt's
 * producers published after it (they were being cancelled). Those are never delivered (no consumer
 * of the current attempt reads them), but they take room in a stream that refuses publishes when
 * full. Streams of the former layout (one per attempt, `runnel-data-<job>-<attempt>`, from a
 * JobManager of before per-job streams) are orphans too. Recovery deletes the streams of the jobs
 * it takes over (of both layouts); this catches the rest, while the cluster runs. Only the leader
 * sweeps (it alone knows which attempts run), and a stream younger than one interval is left
 * alone: its job may be starting on this JobManager right now.
 */
import { ClusterNamespace, JobId } from '@runnel/protocol';
import { JetStreamManager, NatsConnection } from 'nats';
import { isNotFound, releaseAttempt } from './data-attempt.release';

/** What the sweeper needs to know of the jobs. */
export interface LiveAttempts {
  /** The job runs here, or is being recovered: its stream is kept. */
  isLive(jobId: JobId): boolean;
  /** The attempt of a job that runs here; undefined when it does not, or is being recovered (any attempt may be its own then). */
  currentAttempt(jobId: JobId): number | undefined;
}

/** What one sweep did. */
export interface SweepResult {
  /** Streams deleted. */
  readonly streams: string[];
  /** Attempts released in the stream of a job that runs (`<stream>/<attempt>`). */
  readonly attempts: string[];
}

export class DataStreamSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepResult>;

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

  /** One sweep. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const jsm = await this.connection.jetstreamManager();
    const result: SweepResult = { streams: [], attempts: [] };
    const youngerThan = this.clock() - this.intervalMs;
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name;
      // Only this cluster's data streams: the namespace checks the prefix, job id and cluster suffix.
      const jobId = this.namespace.data.jobOf(name);
      // A stream of the former layout (one per attempt) runs no attempt of this JobManager's, and
      // would keep its job's stream from being created (their subjects overlap): always an orphan.
      const legacy = jobId === undefined && this.namespace.data.legacyJobOf(name, stream.config.subjects) !== undefined;
      if (jobId === undefined && !legacy) continue;
      try {
        if (jobId !== undefined && this.jobs.isLive(jobId)) {
          for (const attempt of await this.staleAttempts(jsm, name, jobId)) {
            await releaseAttempt(jsm, this.namespace, jobId, attempt);
            result.attempts.push(`${name}/${attempt}`);
          }
          continue;
        }
        if (Date.parse(stream.created) > youngerThan) continue;
        await jsm.streams.delete(name);
        result.streams.push(name);
      } catch (error) {
        if (!isNotFound(error)) this.log.warn(`could not clean up data stream ${name}: ${(error as Error).message}`);
      }
    }
    if (result.streams.length) this.log.log(`deleted ${result.streams.length} orphaned data stream(s): ${result.streams.join(', ')}`);
    if (result.attempts.length) this.log.log(`released ${result.attempts.length} former attempt(s) of running jobs: ${result.attempts.join(', ')}`);
    return result;
  }

  /** Attempts with consumers or records in a live job's stream that are not its current attempt. */
  private async staleAttempts(jsm: JetStreamManager, name: string, jobId: JobId): Promise<number[]> {
    const seen = new Set<number>();
    for await (const consumer of jsm.consumers.list(name)) {
      const attempt = this.namespace.data.attemptOfConsumer(consumer.name);
      if (attempt !== undefined) seen.add(attempt);
    }
    // Per subject counts, of subjects that hold messages only (paged by nats.js when many).
    const info = await jsm.streams.info(name, { subjects_filter: this.namespace.data.streamSubjects(jobId) });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const attempt = this.namespace.data.attemptOfSubject(subject, jobId);
      if (attempt !== undefined) seen.add(attempt);
    }
    // Read after the listing: an attempt that started meanwhile (its consumers listed) is the
    // current one by then (the JobMaster makes the attempt current before it runs it), so the
    // sweep never releases the attempt that runs.
    const current = this.jobs.currentAttempt(jobId);
    if (current === undefined) return [];
    return [...seen].filter((attempt) => attempt !== current).sort((a, b) => a - b);
  }
}
