/**
 * Exactly-once Postgres sink against a real server (RUNNEL_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; it must be there: without it these tests fail,
 * they never pass having tested nothing). Each test file run creates a database of its own and
 * drops it.
 */
import { Client } from 'pg';
import { EmbeddedExecutor, JobExecutionError, OperatorKind, OperatorTestHarness, StreamExecutionEnvironment, WatermarkStrategy } from '../index';
import type { OperatorStateSnapshot } from '../index';
import { GatedListSource } from './fixtures/gated-list.source';
import { PostgresSink } from './postgres.sink';

const adminUrl = process.env.RUNNEL_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `runnel_pgsink_${process.pid}_${Date.now()}`;
const url = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
})();

const N = 400;
const PAUSE_AT = 50;
const KEYS = 7;
interface Total {
  k: string;
  total: number;
  n: number;
}

/** Sum and count per key of the values in `values` — computed directly, not by the job. */
function totals(values: Iterable<number>): Map<string, { total: number; n: number }> {
  const m = new Map<string, { total: number; n: number }>();
  for (const i of values) {
    const k = `k${i % KEYS}`;
    const t = m.get(k) ?? { total: 0, n: 0 };
    m.set(k, { total: t.total + i, n: t.n + 1 });
  }
  return m;
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe('PostgresSink', () => {
  let admin: Client | undefined;
  let db: Client;

  beforeAll(async () => {
    const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
    } catch (error) {
      throw new Error(`Postgres not reachable at ${adminUrl} (set RUNNEL_TEST_DATABASE_URL): ${(error as Error).message}`);
    }
    admin = c;
    await admin.query(`CREATE DATABASE ${database}`);
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    if (!admin) return;
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  async function table(name: string): Promise<Map<string, { total: number; n: number }>> {
    const { rows } = await db.query<{ k: string; total: string; n: number }>(`SELECT k, total, n FROM ${name}`);
    return new Map(rows.map((r) => [r.k, { total: Number(r.total), n: r.n }]));
  }

  function job(source: GatedListSource, tableName: string, failAt?: number) {
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    // Marks the job as checkpointed (the embedded executor only checkpoints when asked).
    env.enableCheckpointing(3_600_000);
    env
      .fromSource(source, WatermarkStrategy.noWatermarks(), 'gated')
      .uid('src')
      .map((r): Total => {
        if (r.i === failAt) throw new Error(`injected failure at ${r.i}`);
        return { k: `k${r.i % KEYS}`, total: r.i, n: 1 };
      })
      .uid('rows')
      .keyBy((t) => t.k)
      .reduce((a, b) => ({ k: a.k, total: a.total + b.total, n: a.n + b.n }))
      .uid('sum')
      .sinkTo(new PostgresSink<Total>({ url, table: tableName, columns: ['k', 'total', 'n'], keyColumns: ['k'] }))
      .uid('pg');
    return env.buildJob('pg totals');
  }

  it('rows become visible per completed checkpoint; a failure and restore give exactly the failure-free table', async () => {
    await db.query('CREATE TABLE totals (k text PRIMARY KEY, total bigint NOT NULL, n int NOT NULL)');
    const first = new GatedListSource(N, PAUSE_AT, 2, true);
    const client = new EmbeddedExecutor().submit(job(first, 'totals', 2 * PAUSE_AT + 90), { batchSize: 8 });
    await first.allPaused;
    const cp = await client.triggerCheckpoint();
    // Both readers emitted their first PAUSE_AT values before the barrier: 0 … 2·PAUSE_AT-1.
    expect(await table('totals')).toEqual(totals(range(0, 2 * PAUSE_AT)));
    first.release();
    await expect(client.result).rejects.toBeInstanceOf(JobExecutionError);
    // Rows after the checkpoint were only buffered: nothing of the failed attempt is visible.
    expect(await table('totals')).toEqual(totals(range(0, 2 * PAUSE_AT)));

    await new EmbeddedExecutor().submit(job(new GatedListSource(N, PAUSE_AT, 2, false), 'totals'), { restoredState: cp.state, batchSize: 8 }).result;
    expect(await table('totals')).toEqual(totals(range(0, N)));
  });

  it('a checkpoint whose notification was lost is written on restore', async () => {
    await db.query('CREATE TABLE lost (k text PRIMARY KEY, total bigint NOT NULL, n int NOT NULL)');
    const sink = new PostgresSink<Total>({ url, table: 'lost', columns: ['k', 'total', 'n'], keyColumns: ['k'] });
    const h = await new OperatorTestHarness({ kind: OperatorKind.Sink, functions: { sink }, uid: 'pg' }).open();
    h.processElement({ k: 'a', total: 1, n: 1 }).processElement({ k: 'b', total: 2, n: 1 }).processElement({ k: 'a', total: 4, n: 2 });
    await h.endBatch();
    const cp1 = await h.checkpoint(1);
    h.processElement({ k: 'c', total: 9, n: 1 }); // after the barrier: replayed by the sources, never written here
    await h.endBatch();
    await h.close(); // crash before the notification
    expect(await table('lost')).toEqual(new Map());

    const again = await new OperatorTestHarness({ kind: OperatorKind.Sink, functions: { sink }, uid: 'pg' }).open(JSON.parse(JSON.stringify(cp1)) as OperatorStateSnapshot);
    expect(await table('lost')).toEqual(
      new Map([
        ['a', { total: 4, n: 2 }],
        ['b', { total: 2, n: 1 }],
      ]),
    );
    await again.finish();
    await again.close();
  });

  it('without checkpointing each batch is upserted at once (no unbounded buffer)', async () => {
    await db.query('CREATE TABLE direct (k text PRIMARY KEY, total bigint NOT NULL, n int NOT NULL)');
    const sink = new PostgresSink<Total>({ url, table: 'direct', columns: ['k', 'total', 'n'], keyColumns: ['k'] });
    const writer = await sink.createWriter({ subtaskIndex: 0, parallelism: 1, checkpointingEnabled: false });
    await writer.write([{ k: 'a', total: 1, n: 1 }, { k: 'a', total: 3, n: 2 }], [0, 0]);
    expect(await table('direct')).toEqual(new Map([['a', { total: 3, n: 2 }]]));
    await writer.write([{ k: 'a', total: 6, n: 3 }], [0]);
    expect(await table('direct')).toEqual(new Map([['a', { total: 6, n: 3 }]]));
    await writer.close?.();
  });
});
