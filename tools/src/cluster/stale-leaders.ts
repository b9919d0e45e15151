/**
 * A crashed local cluster leaves its leaders' keys in the leader KV of its private NATS
 * (JetStream keeps them on disk), and the new services would wait up to a lease (15 s) for them
 * to expire before one of them leads. Right after the private NATS started, this cluster is its
 * only client, so every key there belongs to a process that is gone: they are deleted before the
 * services start. Never used on a NATS the user gave (other services may lead there).
 */
import { connect } from 'nats';
import { natsConnectOptions, natsServers, type NatsCredentials } from '@runnel/protocol/nats-connect-options';

/** Leader KV buckets: `runnel-leaders`, or `runnel-leaders-<cluster id>` (their streams have a `KV_` prefix). */
const LEADER_STREAM = /^KV_(runnel-leaders(?:-.+)?)$/;

/** Deletes the keys of every leader bucket; returns `bucket/key` of each key deleted. */
export async function releaseStaleLeaders(natsUrl: string, credentials?: NatsCredentials): Promise<string[]> {
  const nc = await connect({ servers: natsServers(natsUrl), ...natsConnectOptions(credentials), timeout: 5000, reconnect: false });
  try {
    const jsm = await nc.jetstreamManager();
    const released: string[] = [];
    for await (const info of jsm.streams.list()) {
      const bucket = LEADER_STREAM.exec(info.config.name)?.[1];
      if (!bucket) continue;
      const kv = await nc.jetstream().views.kv(bucket, { bindOnly: true });
      // All keys first: a delete during the listing adds to the stream being listed, which ended
      // the listing after the first key (measured: one of three keys released).
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      for (const key of keys) {
        await kv.delete(key);
        released.push(`${bucket}/${key}`);
      }
    }
    return released;
  } finally {
    await nc.close();
  }
}
