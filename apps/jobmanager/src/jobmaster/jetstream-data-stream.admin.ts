/**
 * One JetStream stream per job carries the records between tasks on different TaskManagers, for
 * all the job's attempts: a per-job NATS credential can name one stream, not one per attempt.
 * Attempts are kept apart by subject (`…data.<job>.<attempt>.…`) and consumer (`a<attempt>-…`).
 * Work-queue retention: a message is gone once its one consumer acknowledged it, so a long job
 * does not pile up data it already processed.
 *
 * Releasing an attempt deletes its consumers and purges its subjects; the stream stays for the
 * next attempt. The purge is needed, not tidiness: the stream refuses publishes once it holds
 * max_bytes (DiscardPolicy.New), so an old attempt's unread records would eat the next attempt's
 * room. Ending the job deletes the stream.
 *
 * An old attempt's producer tasks may still publish for a moment after its release (they are
 * being cancelled on their TaskManagers). Those late records land on the old attempt's subjects,
 * which no consumer reads (the next attempt's consumers filter on its own attempt), so they are
 * never delivered; they are few (a producer stops once its credit window is spent, and no consumer
 * sends it credits any more), and the DataStreamSweeper purges them later, or the job's end
 * deletes them with the stream.
 */
import { ClusterNamespace, JobId, retryWhileJetStreamUnavailable } from '@runnel/protocol';
import { DiscardPolicy, NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { DataStreamAdmin } from './job-master.deps';
import { isNotFound, releaseAttempt } from './data-attempt.release';

const MAX_STREAM_BYTES = 1024 * 1024 * 1024;

export class JetStreamDataStreamAdmin implements DataStreamAdmin {
  constructor(
    private readonly connection: NatsConnection,
    private readonly storage: 'memory' | 'file',
    /** The stream's name and subjects are in this cluster's namespace; the TaskManagers use the same. */
    private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
    /** JETSTREAM_REPLICAS: on a NATS cluster, copies on several nodes so losing one loses no record. */
    private readonly replicas = 1,
  ) {}

  async create(jobId: JobId, attempt: number): Promise<string> {
    void attempt; // the job's stream serves every attempt; the attempt is in its subjects and consumers
    const jsm = await this.connection.jetstreamManager();
    const name = this.namespace.data.stream(jobId);
    // Idempotent with the same configuration (the job's second attempt finds it there): retried
    // while a NATS cluster elects a meta leader.
    await retryWhileJetStreamUnavailable(() => jsm.streams.add({
      name,
      subjects: [this.namespace.data.streamSubjects(jobId)],
      storage: this.storage === 'file' ? StorageType.File : StorageType.Memory,
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_bytes: MAX_STREAM_BYTES,
      num_replicas: this.replicas,
    }));
    return name;
  }

  async releaseAttempt(jobId: JobId, attempt: number): Promise<void> {
    const jsm = await this.connection.jetstreamManager();
    await releaseAttempt(jsm, this.namespace, jobId, attempt);
  }

  async delete(jobId: JobId): Promise<void> {
    const jsm = await this.connection.jetstreamManager();
    try {
      await jsm.streams.delete(this.namespace.data.stream(jobId));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

