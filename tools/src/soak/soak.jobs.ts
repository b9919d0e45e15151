// The soak's jobs: checkpointed Nexmark examples submitted through the REST API, run in rounds of a
// bounded input, each round's output checked against the independent reference.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleJobArtifact, DEFAULT_BASE_TIME, NexmarkSplitGenerator, type NexmarkEvent } from '@runnel/dataflow';
import { getJson } from '../cluster/rest.client';
import { waitFor } from '../infra';
import { compareRows, referenceQ1, referenceQ5, type RefEvent } from '../reference';

export interface SoakQuery {
  readonly name: string;
  /** Example file under examples/. */
  readonly example: string;
  readonly parallelism: number;
  readonly reference: (events: readonly RefEvent[]) => unknown[];
  /** What a differing row means: a lost or duplicated input record (q1), or a wrong window row. */
  readonly unit: 'records' | 'rows';
}

export const SOAK_QUERIES: readonly SoakQuery[] = [
  { name: 'q5', example: 'nexmark-q5.ts', parallelism: 2, reference: referenceQ5, unit: 'rows' },
  { name: 'q1', example: 'nexmark-q1.ts', parallelism: 2, reference: referenceQ1, unit: 'records' },
];

// 1000 events/s of event time: 600 000 events span 10 min, some 300 sliding q5 windows.
export const SOAK_RATE = 1000;
export const CHECKPOINT_INTERVAL_MS = 1000;

export interface RoundResult {
  readonly query: string;
  readonly round: number;
  readonly events: number;
  readonly jobId: string;
  readonly state: string;
  readonly seconds: number;
  readonly rows: number;
  readonly expectedRows: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly restored: number;
  readonly unit: 'records' | 'rows';
}

export interface JobView {
  state: string;
  latestCompletedTrigger?: number;
  restored?: number;
}

export class SoakJobClient {
  private readonly jars = new Map<string, string>();

  constructor(
    private readonly restUrl: string,
    private readonly repoRoot: string,
  ) {}

  private async jarFor(example: string): Promise<string> {
    let id = this.jars.get(example);
    if (id !== undefined) return id;
    const artifact = await bundleJobArtifact(join(this.repoRoot, 'examples', example));
    const form = new FormData();
    form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
    const response = await fetch(`${this.restUrl}/jars/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
    const body = (await response.json()) as { id?: string };
    if (response.status !== 200 || !body.id) throw new Error(`upload of ${example} failed (${response.status}): ${JSON.stringify(body)}`);
    this.jars.set(example, (id = body.id));
    return id;
  }

  /** Submits, retrying while a fault leaves no JobManager to answer (a 5xx), at most 2 minutes. */
  async submit(query: SoakQuery, events: number, seed: number, output: string): Promise<string> {
    return waitFor(() => this.submitOnce(query, events, seed, output), { description: `${query.name} to be accepted`, timeoutMs: 120_000, intervalMs: 1000 });
  }

  private async submitOnce(query: SoakQuery, events: number, seed: number, output: string): Promise<string> {
    mkdirSync(output, { recursive: true });
    const jar = await this.jarFor(query.example);
    const programArgsList = [
      '--events', String(events), '--rate', String(SOAK_RATE), '--seed', String(seed),
      '--checkpoint-interval', String(CHECKPOINT_INTERVAL_MS), '--output', `${output}/`,
    ];
    const response = await fetch(`${this.restUrl}/jars/${jar}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ programArgsList, parallelism: query.parallelism }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json()) as { jobid?: string };
    if (response.status !== 200 || !body.jobid) throw new Error(`run of ${query.name} failed (${response.status}): ${JSON.stringify(body)}`);
    return body.jobid;
  }

  /** The job's state and latest completed checkpoint; undefined while the REST API cannot say (a failover). */
  async view(jobId: string): Promise<JobView | undefined> {
    try {
      const job = await getJson<{ state?: string }>(`${this.restUrl}/jobs/${jobId}`, 5000);
      if (job.status !== 200 || !job.body?.state) return undefined;
      const cps = await getJson<{ counts?: { restored?: number }; latest?: { completed?: { trigger_timestamp?: number } | null } }>(
        `${this.restUrl}/jobs/${jobId}/checkpoints`,
        5000,
      );
      return {
        state: job.body.state,
        ...(cps.body?.latest?.completed?.trigger_timestamp !== undefined ? { latestCompletedTrigger: cps.body.latest.completed.trigger_timestamp } : {}),
        ...(cps.body?.counts?.restored !== undefined ? { restored: cps.body.counts.restored } : {}),
      };
    } catch {
      return undefined;
    }
  }
}

/** The generated stream with only the fields the references read: the whole events would not fit in memory for long rounds. */
export function referenceEvents(events: number, seed: number): RefEvent[] {
  const generator = new NexmarkSplitGenerator({ events, rate: SOAK_RATE, seed });
  const out: RefEvent[] = [];
  const batch: NexmarkEvent[] = [];
  while (generator.hasNext()) {
    batch.length = 0;
    generator.nextBatch(batch, 10_000);
    for (const e of batch) {
      if (e.type === 'bid') out.push({ type: 'bid', auction: e.auction, bidder: e.bidder, price: e.price, dateTime: e.dateTime });
      else if (e.type === 'auction') out.push({ type: 'auction', id: e.id, seller: e.seller, category: e.category, dateTime: e.dateTime, expires: e.expires });
      else out.push({ type: 'person', id: e.id, name: e.name, city: e.city, state: e.state, dateTime: e.dateTime });
    }
  }
  return out;
}

export interface RoundCheck {
  rows: number;
  expectedRows: number;
  lost: number;
  duplicated: number;
}

/** Events whose rows are compared field by field in a record-per-bid round (the rest by identity only). */
const CONTENT_CHECKED_EVENTS = 200_000;

/**
 * Compares a finished round's output with the reference: rows missing are lost, rows extra
 * duplicated. A window round (q5) is compared whole. A record round (q1) of millions of events
 * would take minutes and gigabytes that way, so: at 1000 events/s every event has its own
 * millisecond, which names it (id = dateTime - base time), and bids are the ids with id % 50 >= 4
 * (Nexmark's 1:3:46 mix); every bid must appear exactly once, and the rows of the first
 * 200 000 events must equal the reference's.
 */
export function checkRound(query: SoakQuery, events: number, seed: number, output: string): RoundCheck {
  const actual = readCommittedRows(output);
  if (query.unit === 'rows') {
    const expected = query.reference(referenceEvents(events, seed));
    const diff = compareRows(actual, expected);
    return { rows: actual.length, expectedRows: expected.length, lost: diff.missing.length, duplicated: diff.unexpected.length };
  }
  const seen = new Uint8Array(events);
  let duplicated = 0;
  let outside = 0;
  const head: unknown[] = [];
  for (const row of actual as { dateTime: number }[]) {
    const id = row.dateTime - DEFAULT_BASE_TIME;
    if (!Number.isInteger(id) || id < 0 || id >= events || id % 50 < 4) {
      outside++;
      continue;
    }
    if (seen[id]++ > 0) duplicated++;
    // Content of each event's first row only: a duplicate is already counted above.
    else if (id < CONTENT_CHECKED_EVENTS) head.push(row);
  }
  let expectedRows = 0;
  let lost = 0;
  for (let id = 0; id < events; id++) {
    if (id % 50 < 4) continue;
    expectedRows++;
    if (seen[id] === 0) lost++;
  }
  const diff = compareRows(head, query.reference(referenceEvents(Math.min(events, CONTENT_CHECKED_EVENTS), seed)));
  // A wrong row counts as lost (its right version is missing) and extra (the wrong one is there).
  return { rows: actual.length, expectedRows, lost: lost + diff.missing.length, duplicated: duplicated + outside + diff.unexpected.length };
}

/** Rows of the committed part files only: an aborted attempt's in-progress files (`.part-…`) are not output. */
function readCommittedRows(dir: string): unknown[] {
  const rows: unknown[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || !name.endsWith('.jsonl')) continue;
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line));
  }
  return rows;
}
