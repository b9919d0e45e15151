/**
 * Exactly-once Postgres sink: idempotent upserts of each checkpoint's rows, written in one
 * transaction when the checkpoint completes.
 *
 * Rows that arrive between two barriers are buffered; on barrier n they become checkpoint n's
 * rows and are part of the sink's checkpoint state. On notifyCheckpointComplete(n) all rows of
 * checkpoints ≤ n are written in one transaction with `INSERT … ON CONFLICT (keyColumns) DO
 * UPDATE`. Restoring checkpoint n writes n's rows again (the notification may have been lost) —
 * harmless, an upsert of the same row is a no-op — and the sources replay the rest in the same
 * per-key order, so the table converges to exactly the rows of a failure-free run. Readers never
 * see rows of a checkpoint that did not complete.
 *
 * Why not `PREPARE TRANSACTION` (Flink's XA style)? It needs `max_prepared_transactions > 0`,
 * which is 0 in a default Postgres; a prepared transaction holds its row locks until committed
 * and outlives the connection, so a job that is cancelled or lost leaves locked rows behind until
 * someone resolves it by its gid; and a recovery must find and commit or roll back the old
 * attempt's transactions. Upserts need none of that and survive any number of restarts. The cost:
 * a checkpoint interval's rows are kept in memory and in the checkpoint, and the table needs a
 * unique key (the sink is for keyed results, not for append-only event logs).
 *
 * Without checkpointing (the job graph has no checkpoint config) each input batch is upserted at
 * once: at-least-once, converging to the same table, and no unbounded buffer.
 */
import type { Client } from 'pg';
import { InvalidArgumentError, SinkCommitError, SinkStateError } from '../core/dataflow.errors';
import type { Sink, SinkWriter, SinkWriterContext } from './source.types';

export interface PostgresSinkOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  /** Table name, optionally schema-qualified ("public.results"). It must exist. */
  readonly table: string;
  /** Record fields written, each to the column of the same name. */
  readonly columns: readonly string[];
  /** Columns of a primary key or unique constraint (a subset of `columns`): the upsert target. */
  readonly keyColumns: readonly string[];
  /** Rows per INSERT statement (default 500; capped by Postgres' 65 535 parameters). */
  readonly rowsPerStatement?: number;
}

interface CheckpointRows {
  readonly checkpointId: number;
  readonly rows: unknown[][];
}

/** Operator state of one writer (plain JSON / msgpack). */
export interface PostgresSinkState {
  readonly version: 1;
  readonly table: string;
  readonly columns: readonly string[];
  /** Rows of checkpoints not yet known to be written, oldest first. */
  readonly pending: CheckpointRows[];
}

const END_OF_INPUT = Number.MAX_SAFE_INTEGER;
const MAX_PARAMETERS = 65_535;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteTable = (table: string) => table.split('.').map(quoteIdent).join('.');

/** The upsert statement for `rows` rows (built once per size and reused). */
function upsertSql(o: PostgresSinkOptions, rows: number): string {
  const cols = o.columns.map(quoteIdent).join(', ');
  const width = o.columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) tuples.push(`(${o.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  const updates = o.columns.filter((c) => !o.keyColumns.includes(c)).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const onConflict = `ON CONFLICT (${o.keyColumns.map(quoteIdent).join(', ')}) ${updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  return `INSERT INTO ${quoteTable(o.table)} (${cols}) VALUES ${tuples.join(', ')} ${onConflict}`;
}

class PostgresWriter<T> implements SinkWriter<T> {
  private current: unknown[][] = [];
  private pending: CheckpointRows[] = [];
  private commits: Promise<void> = Promise.resolve();
  private readonly keyIndexes: number[];
  private readonly statementRows: number;
  private readonly sqlCache = new Map<number, string>();

  constructor(
    private readonly client: Client,
    private readonly o: PostgresSinkOptions,
    /** No checkpoints will come: upsert every batch directly. */
    private readonly direct: boolean,
  ) {
    this.keyIndexes = o.keyColumns.map((k) => o.columns.indexOf(k));
    this.statementRows = Math.max(1, Math.min(o.rowsPerStatement ?? 500, Math.floor(MAX_PARAMETERS / o.columns.length)));
  }

  write(values: readonly T[]): void | Promise<void> {
    const cols = this.o.columns;
    const width = cols.length;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as Record<string, unknown>;
      const row = new Array<unknown>(width);
      for (let c = 0; c < width; c++) row[c] = v[cols[c]];
      this.current.push(row);
    }
    if (this.direct) {
      const rows = this.current;
      this.current = [];
      return this.upsert([{ checkpointId: 0, rows }]);
    }
  }

  prepareCommit(checkpointId: number): void {
    if (this.current.length === 0) return;
    this.pending.push({ checkpointId, rows: this.current });
    this.current = [];
  }

  snapshotState(): PostgresSinkState {
    return { version: 1, table: this.o.table, columns: this.o.columns, pending: this.pending.slice() };
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const run = this.commits.then(async () => {
      let n = 0;
      while (n < this.pending.length && this.pending[n].checkpointId <= checkpointId) n++;
      if (n === 0) return;
      await this.upsert(this.pending.slice(0, n));
      this.pending.splice(0, n);
    });
    this.commits = run.catch(() => undefined);
    return run;
  }

  async restoreState(raw: unknown): Promise<void> {
    const s = raw as PostgresSinkState | undefined;
    if (!s || s.version !== 1 || !Array.isArray(s.pending)) throw new SinkStateError('PostgresSink', 'not a PostgresSink state');
    if (s.table !== this.o.table || s.columns.join('\u0000') !== this.o.columns.join('\u0000'))
      throw new SinkStateError('PostgresSink', `the checkpoint wrote ${s.table}(${s.columns.join(', ')}), the sink now writes ${this.o.table}(${this.o.columns.join(', ')})`);
    // The restored checkpoint completed: its rows belong in the table (a repeated upsert is a no-op).
    await this.upsert(s.pending);
  }

  /** One transaction; the last row per key wins (one statement must not touch a row twice). */
  private async upsert(batches: readonly CheckpointRows[]): Promise<void> {
    const last = new Map<string, unknown[]>();
    for (const b of batches) {
      for (const row of b.rows) {
        let key = '';
        for (const k of this.keyIndexes) {
          const v = row[k];
          key += (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)) + '\u0001';
        }
        // Re-inserting moves the key to the end: rows keep the order of their last update.
        last.delete(key);
        last.set(key, row);
      }
    }
    if (last.size === 0) return;
    const rows = [...last.values()];
    try {
      await this.client.query('BEGIN');
      for (let i = 0; i < rows.length; i += this.statementRows) {
        const chunk = rows.slice(i, i + this.statementRows);
        let sql = this.sqlCache.get(chunk.length);
        if (!sql) this.sqlCache.set(chunk.length, (sql = upsertSql(this.o, chunk.length)));
        await this.client.query(sql, chunk.flat());
      }
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw new SinkCommitError('PostgresSink', `upsert into ${this.o.table} failed: ${(error as Error).message}`, error);
    }
  }

  async finish(): Promise<void> {
    this.prepareCommit(END_OF_INPUT);
    await this.notifyCheckpointComplete(END_OF_INPUT);
  }

  async close(): Promise<void> {
    await this.commits;
    await this.client.end().catch(() => undefined);
  }
}

export class PostgresSink<T> implements Sink<T> {
  constructor(readonly options: PostgresSinkOptions) {
    const { columns, keyColumns, table } = options;
    if (!table) throw new InvalidArgumentError('PostgresSink: table is required');
    if (!columns?.length) throw new InvalidArgumentError('PostgresSink: columns must not be empty');
    if (!keyColumns?.length) throw new InvalidArgumentError('PostgresSink: keyColumns must not be empty (the upsert needs a unique key)');
    const missing = keyColumns.filter((k) => !columns.includes(k));
    if (missing.length) throw new InvalidArgumentError(`PostgresSink: keyColumns ${missing.join(', ')} are not among columns`);
  }

  async createWriter(ctx: SinkWriterContext): Promise<SinkWriter<T>> {
    // Loaded on use: jobs without a Postgres sink never load the driver.
    const { Client: PgClient } = await import('pg');
    const client = new PgClient({ connectionString: this.options.url });
    await client.connect();
    return new PostgresWriter<T>(client, this.options, ctx.checkpointingEnabled === false);
  }

  /** No URL in the JobGraph: it may carry a password, and the graph is stored and shown. */
  describe(): Record<string, unknown> {
    return { type: 'postgres', table: this.options.table, columns: [...this.options.columns], keyColumns: [...this.options.keyColumns] };
  }
}
