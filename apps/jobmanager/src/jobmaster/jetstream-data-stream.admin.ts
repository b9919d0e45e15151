/**
 * One JetStream stream per job attempt carries the records between tasks on different
 * TaskManagers. Work-queue retention: a message is gone once its one consumer acknowledged it,
 * so a long job does not pile up data it already processed.
 */
import { ClusterNamespace, JobId, retryWhileJetStreamUnavailable } from '@runnel/protocol';
import { DiscardPolicy, NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { DataStreamAdmin } from './job-master.deps';

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
    const jsm = await this.connection.jetstreamManager();
    const name = this.namespace.data.stream(jobId, attempt);
    // Idempotent with the same configuration: retried while a NATS cluster elects a meta leader.
    await retryWhileJetStreamUnavailable(() => jsm.streams.add({
      name,
      subjects: [this.namespace.data.streamSubjects(jobId, attempt)],
      storage: this.storage === 'file' ? StorageType.File : StorageType.Memory,
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_bytes: MAX_STREAM_BYTES,
      num_replicas: this.replicas,
    }));
    return name;
  }

  async delete(jobId: JobId, attempt: number): Promise<void> {
    const jsm = await this.connection.jetstreamManager();
    try {
      await jsm.streams.delete(this.namespace.data.stream(jobId, attempt));
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
    }
  }
}
