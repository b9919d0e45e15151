/** Runs against a real NATS server (RUNNEL_TEST_NATS_URL, default nats://127.0.0.1:4222); it must be there. */
import { connect, type NatsConnection } from 'nats';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../index';
import { JetStreamSink, JetStreamSource, JetStreamFormat } from './jetstream.connector';

const servers = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('JetStream connector', () => {
  let nc: NatsConnection | undefined;
  const stream = `RUNNEL_DATAFLOW_TEST_${process.pid}_${Date.now()}`;
  const subject = (s: string) => `runnel.dataflowtest.${process.pid}.${Date.now() % 100000}.${s}`;
  const subjects = { json: subject('json'), batch: subject('batch') };

  beforeAll(async () => {
    nc = await connect({ servers, timeout: 2000 });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subjects.json, subjects.batch] });
  });
  afterAll(async () => {
    if (!nc) return; // beforeAll failed: that failure is the report
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it.each([JetStreamFormat.Json, JetStreamFormat.MsgpackBatch])('sink then bounded source round-trips records (%s)', async (format) => {
    const subj = format === JetStreamFormat.Json ? subjects.json : subjects.batch;
    const write = StreamExecutionEnvironment.createLocalEnvironment(2, { batchSize: 50 });
    write.fromSequence(0, 499).map((i) => ({ i, s: `r${i}` })).sinkTo(new JetStreamSink({ servers, subject: subj, format }));
    await write.execute('write');

    const read = StreamExecutionEnvironment.createLocalEnvironment(2);
    const out = await read
      .fromSource(new JetStreamSource<{ i: number; s: string }>({ servers, stream, subject: subj, format, bounded: true }), WatermarkStrategy.noWatermarks())
      .setParallelism(2)
      .executeAndCollect();
    expect(out.map((r) => r.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('takes a comma-separated server list (NATS_URL style) whose first server is down', async () => {
    // Port 1 on loopback: nothing listens there, so the connection must go on to the next server.
    const list = `nats://127.0.0.1:1,${servers}`;
    const subj = subject('list');
    const jsm = await nc!.jetstreamManager();
    await jsm.streams.update(stream, { ...(await jsm.streams.info(stream)).config, subjects: [subjects.json, subjects.batch, subj] });
    const write = StreamExecutionEnvironment.createLocalEnvironment(1);
    write.fromSequence(0, 9).map((i) => ({ i })).sinkTo(new JetStreamSink({ servers: list, subject: subj, format: JetStreamFormat.Json }));
    await write.execute('write');
    const out = await StreamExecutionEnvironment.createLocalEnvironment(1)
      .fromSource(new JetStreamSource<{ i: number }>({ servers: list, stream, subject: subj, format: JetStreamFormat.Json, bounded: true }), WatermarkStrategy.noWatermarks())
      .executeAndCollect();
    expect(out.map((r) => r.i).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a bounded source reads nothing from an empty subject, and fails on a missing stream', async () => {
    const empty = new JetStreamSource<unknown>({ servers, stream, subject: subject('never-written'), bounded: true });
    const reader = empty.createReader({ subtaskIndex: 0, parallelism: 1 });
    expect(await reader.pollBatch(10)).toBeNull();
    await reader.close?.();

    const missing = new JetStreamSource<unknown>({ servers, stream: `${stream}_MISSING`, subject: subjects.json, bounded: true });
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    await expect(env.fromSource(missing, WatermarkStrategy.noWatermarks()).executeAndCollect()).rejects.toThrow(
      new RegExp(`cannot find the end of subject .* in stream ${stream}_MISSING`),
    );
  });

  it('a restored reader continues from its sequence position', async () => {
    const source = new JetStreamSource<{ i: number }>({ servers, stream, subject: subjects.json, bounded: true });
    const r1 = source.createReader({ subtaskIndex: 0, parallelism: 1 });
    const first = (await r1.pollBatch(120))!;
    const pos = r1.position();
    await r1.close?.();
    const r2 = source.createReader({ subtaskIndex: 0, parallelism: 1 });
    r2.restore(pos);
    const rest: { i: number }[] = [];
    for (let b = await r2.pollBatch(100); b !== null; b = await r2.pollBatch(100)) rest.push(...b);
    await r2.close?.();
    expect(first.length + rest.length).toBe(500);
    expect(new Set([...first, ...rest].map((r) => r.i)).size).toBe(500);
  });
});
