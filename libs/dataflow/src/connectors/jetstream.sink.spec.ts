/**
 * Exactly-once JetStream sink against the real NATS server (RUNNEL_TEST_NATS_URL, default
 * nats://127.0.0.1:4222; it must be there: without it these tests fail): a job fails after a checkpoint,
 * is restored from it, replays, and the stream's duplicate window drops the replayed copies.
 */
import { connect, type NatsConnection } from 'nats';
import { EmbeddedExecutor, JobExecutionError, StreamExecutionEnvironment, WatermarkStrategy } from '../index';
import { GatedListSource } from './fixtures/gated-list.source';
import { JetStreamSink } from './jetstream.sink';
import { JetStreamFormat } from './jetstream.format';

const servers = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const N = 400;
const PAUSE_AT = 50;

describe('JetStreamSink exactly-once through publish deduplication', () => {
  let nc: NatsConnection | undefined;
  const tag = `${process.pid}_${Date.now()}`;
  const stream = `RUNNEL_DEDUP_TEST_${tag}`;
  const subject = `runnel.deduptest.${tag}`;

  beforeAll(async () => {
    try {
      nc = await connect({ servers, timeout: 2000 });
    } catch (error) {
      throw new Error(`NATS not reachable at ${servers} (set RUNNEL_TEST_NATS_URL): ${(error as Error).message}`);
    }
    const jsm = await nc.jetstreamManager();
    // The window must outlast publish → failure → restore → replay; a minute is plenty here.
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`], duplicate_window: 60_000_000_000 });
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  async function valuesOn(subj: string): Promise<number[]> {
    const js = nc!.jetstream();
    const jsm = await nc!.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: subj });
    const total = info.state.subjects?.[subj] ?? 0;
    const out: number[] = [];
    if (total === 0) return out;
    const consumer = await js.consumers.get(stream, { filterSubjects: subj });
    while (out.length < total) {
      const msgs = await consumer.fetch({ max_messages: total - out.length, expires: 2000 });
      for await (const m of msgs) out.push((m.json() as { i: number }).i);
    }
    return out.sort((a, b) => a - b);
  }

  function job(source: GatedListSource, subj: string, failAt?: number) {
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    env
      .fromSource(source, WatermarkStrategy.noWatermarks(), 'gated')
      .uid('src')
      .map((r) => {
        if (r.i === failAt) throw new Error(`injected failure at ${r.i}`);
        return r;
      })
      .uid('map')
      .sinkTo(new JetStreamSink<{ i: number }>({ servers, subject: subj, format: JetStreamFormat.Json }))
      .uid('publish');
    return env.buildJob('dedup');
  }

  it('a restore from a checkpoint replays with the same ids: every record is in the stream once', async () => {
    const subj = `${subject}.restore`;
    const first = new GatedListSource(N, PAUSE_AT, 2, true);
    const client = new EmbeddedExecutor().submit(job(first, subj, 2 * PAUSE_AT + 60), { batchSize: 8 });
    await first.allPaused;
    const cp = await client.triggerCheckpoint();
    first.release();
    await expect(client.result).rejects.toBeInstanceOf(JobExecutionError);
    const beforeRestore = await valuesOn(subj);
    // The failed attempt published records after the checkpoint: the replay overlaps them.
    expect(beforeRestore.length).toBeGreaterThan(2 * PAUSE_AT);

    await new EmbeddedExecutor().submit(job(new GatedListSource(N, PAUSE_AT, 2, false), subj), { restoredState: cp.state, batchSize: 8 }).result;
    expect(await valuesOn(subj)).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('two fresh runs of the same job are not deduplicated against each other', async () => {
    const subj = `${subject}.fresh`;
    for (let run = 0; run < 2; run++) await new EmbeddedExecutor().submit(job(new GatedListSource(50, 50, 2, false), subj)).result;
    const expected = Array.from({ length: 50 }, (_, i) => [i, i]).flat();
    expect(await valuesOn(subj)).toEqual(expected);
  });

  it('uses ids only when the input order is deterministic, unless forced', async () => {
    const subj = `${subject}.ids`;
    const publish = async (deduplicate: boolean | undefined, deterministicInputOrder: boolean) => {
      const sink = new JetStreamSink<{ i: number }>({ servers, subject: subj, ...(deduplicate !== undefined ? { deduplicate } : {}) });
      const w = await sink.createWriter({ subtaskIndex: 0, parallelism: 1, jobName: 'j', operatorUid: 'u', jobId: `ids-${deduplicate}-${deterministicInputOrder}`, deterministicInputOrder });
      await w.write([{ i: 1 }], [0]);
      await w.close?.();
    };
    await publish(undefined, true);
    await publish(undefined, false);
    await publish(true, false);
    await publish(false, true);
    const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: subj });
    const ids: (string | undefined)[] = [];
    for await (const m of await consumer.fetch({ max_messages: 4, expires: 2000 })) ids.push(m.headers?.get('Nats-Msg-Id') || undefined);
    expect(ids).toEqual(['j/u.ids-undefined-true.0.0', undefined, 'j/u.ids-true-false.0.0', undefined]);
  });
});
