/**
 * Opening an Object Store bucket without creating it. nats.js 2.29's `js.views.os(name, opts)`
 * looks the bucket's stream up (STREAM.INFO) and, when the answer is "stream not found", creates
 * it (STREAM.CREATE) with `opts`; it has no bind-only option (unlike `views.kv`'s `bindOnly`), and
 * it ignores any other lookup failure. A TaskManager's NATS user may not create streams, and a
 * missing checkpoint bucket must be reported, not made: so the stream is looked up here first, and
 * `views.os` is called only for a bucket just seen to exist (its own lookup then finds it and
 * creates nothing). Only a bucket deleted between the two lookups would reach its create.
 */
import type { JetStreamManager, NatsConnection, ObjectStore } from 'nats';

/** The JetStream stream of an Object Store bucket (nats.js' naming). */
export const objectStoreStream = (bucket: string): string => `OBJ_${bucket}`;

/** Whether a JetStream API error says the stream does not exist (10059). */
export function isStreamNotFound(error: unknown): boolean {
  const e = error as { message?: string; api_error?: { err_code?: number } } | undefined;
  return e?.api_error?.err_code === 10059 || e?.message === 'stream not found';
}

/** The bucket, or undefined when it does not exist; never creates it. */
export async function openExistingObjectStore(connection: NatsConnection, jsm: JetStreamManager, bucket: string): Promise<ObjectStore | undefined> {
  try {
    await jsm.streams.info(objectStoreStream(bucket));
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
  return connection.jetstream().views.os(bucket);
}
