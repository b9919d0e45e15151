/**
 * Releasing one attempt's part of its job's data stream: the attempt's consumers deleted, its
 * subjects purged. The JobMaster does it when an attempt ends (jetstream-data-stream.admin.ts),
 * the DataStreamSweeper for attempts that release missed or that published after it.
 */
import type { ClusterNamespace, JobId } from '@runnel/protocol';
import type { JetStreamManager } from 'nats';

/**
 * Consumers go first: once none reads the attempt's subjects, whatever the purge leaves behind (a
 * late publish) is never delivered. A stream already gone (the job ended meanwhile) leaves nothing
 * to do.
 */
export async function releaseAttempt(jsm: JetStreamManager, namespace: ClusterNamespace, jobId: JobId, attempt: number): Promise<void> {
  const stream = namespace.data.stream(jobId);
  try {
    const names: string[] = [];
    for await (const consumer of jsm.consumers.list(stream)) {
      if (namespace.data.attemptOfConsumer(consumer.name) === attempt) names.push(consumer.name);
    }
    for (const name of names) {
      await jsm.consumers.delete(stream, name).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    await jsm.streams.purge(stream, { filter: namespace.data.attemptSubjects(jobId, attempt) });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** JetStream's answer for a stream or consumer that is not there (deleted meanwhile: nothing left to do). */
export function isNotFound(error: unknown): boolean {
  return /stream not found|consumer not found/i.test((error as Error)?.message ?? '');
}
