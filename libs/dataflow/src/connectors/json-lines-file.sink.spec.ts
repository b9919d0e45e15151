/**
 * The exactly-once JSON Lines sink: two-phase commit through the operator harness (pre-commit on
 * the barrier, commit on completion, restore after a crash with or without the notification),
 * and through the embedded executor with a failure after a checkpoint (same and lower parallelism).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedExecutor, JobExecutionError, OperatorKind, OperatorTestHarness, StreamExecutionEnvironment, WatermarkStrategy } from '../index';
import type { OperatorStateSnapshot } from '../index';
import { GatedListSource } from './fixtures/gated-list.source';
import { orphanedOperatorStates } from '../runtime/state/state-redistribution';
import { JsonLinesFileSink } from './json-lines-file.sink';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnel-sink-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Visible output: every line of every *.jsonl file (a directory) or of the file itself. */
function committed(out: string): number[] {
  if (!fs.existsSync(out)) return [];
  const files = fs.statSync(out).isDirectory()
    ? fs.readdirSync(out).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(out, f))
    : [out];
  return files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { i: number }).i));
}
const hidden = (d: string) => fs.readdirSync(d).filter((f) => f.startsWith('.')).sort();
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

function harness(out: string, subtaskIndex = 0, parallelism = 1) {
  return new OperatorTestHarness({ kind: OperatorKind.Sink, functions: { sink: new JsonLinesFileSink(out) }, subtaskIndex, parallelism, uid: 'files' });
}
async function feed(h: OperatorTestHarness, from: number, to: number) {
  for (let i = from; i < to; i++) h.processElement({ i });
  await h.endBatch();
}

describe('JsonLinesFileSink two-phase commit (harness)', () => {
  it('keeps data hidden until the checkpoint completes, then renames pending files to part files', async () => {
    const out = path.join(dir, 'out');
    const h = await harness(out).open();
    await feed(h, 0, 10);
    expect(committed(out)).toEqual([]);
    expect(hidden(out)).toEqual(['.part-0-0.inprogress']);
    await h.checkpoint(1);
    expect(hidden(out)).toEqual(['.part-0-0.cp-1.pending']);
    await feed(h, 10, 15);
    await h.checkpoint(2);
    expect(committed(out)).toEqual([]);
    await h.notifyCheckpointComplete(2); // covers checkpoint 1 too
    expect(fs.readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual(['part-0-0.jsonl', 'part-0-1.jsonl']);
    expect(committed(out)).toEqual(range(0, 15));
    await feed(h, 15, 20);
    await h.finish(); // end of input commits the rest
    await h.close();
    expect(committed(out)).toEqual(range(0, 20));
    expect(hidden(out)).toEqual([]);
  });

  it.each(['directory', 'single file'])('restore after a crash (%s): commits what the checkpoint covered, deletes later files', async (kind) => {
    const out = kind === 'directory' ? path.join(dir, 'out') : path.join(dir, 'all.jsonl');
    const hiddenDir = kind === 'directory' ? out : dir;
    const h = await harness(out).open();
    await feed(h, 0, 30);
    const cp1 = await h.checkpoint(1); // completed, but the notification never arrived
    await feed(h, 30, 45);
    await h.checkpoint(2); // pre-committed, never completed
    await feed(h, 45, 50); // in progress
    await h.close(); // crash
    expect(committed(out)).toEqual([]);
    expect(hidden(hiddenDir)).toEqual(expect.arrayContaining([expect.stringMatching(/cp-2\.pending$/), expect.stringMatching(/inprogress$/)]));

    // The state travels as JSON (the checkpoint store's format).
    const restored = JSON.parse(JSON.stringify(cp1)) as OperatorStateSnapshot;
    const again = await harness(out).open(restored);
    expect(committed(out)).toEqual(range(0, 30));
    expect(hidden(hiddenDir)).toEqual([]);
    await feed(again, 30, 50); // the sources replay from checkpoint 1
    await again.finish();
    await again.close();
    expect(committed(out)).toEqual(range(0, 50));
  });

  it('single file: a commit repeated after a crash in the middle of it does not duplicate lines', async () => {
    const out = path.join(dir, 'all.jsonl');
    const h = await harness(out).open();
    await feed(h, 0, 5);
    await h.checkpoint(1);
    await h.notifyCheckpointComplete(1);
    await feed(h, 5, 12);
    const cp2 = await h.checkpoint(2);
    await h.close();
    // Crash while committing checkpoint 2: its data was appended, the pending file not yet deleted.
    const pending = path.join(dir, hidden(dir).find((f) => f.endsWith('.cp-2.pending'))!);
    fs.appendFileSync(out, fs.readFileSync(pending));
    fs.appendFileSync(out, '{"i":99'); // and a torn write after it
    const again = await harness(out).open(JSON.parse(JSON.stringify(cp2)) as OperatorStateSnapshot);
    await again.finish();
    await again.close();
    expect(committed(out)).toEqual(range(0, 12));
  });

  it('restoring an older checkpoint removes the output committed after it (directory)', async () => {
    const out = path.join(dir, 'out');
    const h = await harness(out).open();
    await feed(h, 0, 10);
    const cp1 = await h.checkpoint(1);
    await h.notifyCheckpointComplete(1);
    await feed(h, 10, 20);
    await h.checkpoint(2);
    await h.notifyCheckpointComplete(2);
    await h.close();
    expect(committed(out)).toEqual(range(0, 20));
    const again = await harness(out).open(JSON.parse(JSON.stringify(cp1)) as OperatorStateSnapshot);
    expect(committed(out)).toEqual(range(0, 10));
    await feed(again, 10, 20); // replayed from checkpoint 1
    await again.finish();
    expect(sorted(committed(out))).toEqual(range(0, 20));
  });

  it('a job resumed from a savepoint with another output path writes only there, leaving the first job’s output alone', async () => {
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    const h = await harness(first).open();
    await feed(h, 0, 10);
    const savepoint = await h.checkpoint(1);
    await h.notifyCheckpointComplete(1);
    // The first job goes on after its savepoint and commits more.
    await feed(h, 10, 15);
    await h.checkpoint(2);
    await h.notifyCheckpointComplete(2);
    await feed(h, 15, 17); // in progress, hidden
    const before = { visible: committed(first), hidden: hidden(first) };
    const again = await harness(second).open(JSON.parse(JSON.stringify(savepoint)) as OperatorStateSnapshot);
    await feed(again, 10, 20);
    await again.finish();
    expect(committed(second)).toEqual(range(10, 20));
    // Nothing of the first job's output was committed, truncated or deleted by the second.
    expect(committed(first)).toEqual(before.visible);
    expect(before.visible).toEqual(range(0, 15));
    expect(hidden(first)).toEqual(before.hidden);
    await h.close();
  });

  it('scale-in: subtask 0 adopts the state of a subtask that no longer exists and commits its files', async () => {
    const out = path.join(dir, 'out');
    const snapshots: OperatorStateSnapshot[] = [];
    for (let s = 0; s < 3; s++) {
      const h = await harness(out, s, 3).open();
      await feed(h, s * 100, s * 100 + 10);
      snapshots.push(await h.checkpoint(1)); // completed, never notified
      await feed(h, s * 100 + 10, s * 100 + 20); // lost with the crash
      await h.close();
    }
    // What StreamTask hands each subtask at parallelism 2.
    const restoredFor = (i: number): OperatorStateSnapshot => ({
      operatorUid: 'files',
      subtaskIndex: i,
      operator: snapshots[i].operator,
      adopted: orphanedOperatorStates(snapshots, i, 2),
    });
    expect(restoredFor(0).adopted).toHaveLength(1);
    expect(restoredFor(1).adopted).toHaveLength(0);
    const hs = [await harness(out, 0, 2).open(restoredFor(0)), await harness(out, 1, 2).open(restoredFor(1))];
    expect(sorted(committed(out))).toEqual([...range(0, 10), ...range(100, 110), ...range(200, 210)]);
    expect(hidden(out)).toEqual([]);
    for (const h of hs) await h.finish();
  });
});

// ---- through the embedded executor -------------------------------------------------------------

const N = 300;
const PAUSE_AT = 60; // per reader

function job(source: GatedListSource, parallelism: number, out: string, failAt?: number) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(parallelism);
  env
    .fromSource(source, WatermarkStrategy.noWatermarks(), 'gated')
    .uid('src')
    .map((r) => {
      if (r.i === failAt) throw new Error(`injected failure at ${r.i}`);
      return r;
    })
    .uid('map')
    .sinkTo(new JsonLinesFileSink<{ i: number }>(out))
    .uid('files');
  return env.buildJob('exactly-once files');
}

describe('JsonLinesFileSink with a failure after a checkpoint (embedded executor)', () => {
  it.each([
    [2, 2],
    [3, 2],
  ])('parallelism %i, restored at %i: the output holds every record exactly once', async (before, after) => {
    const out = path.join(dir, 'out');
    const first = new GatedListSource(N, PAUSE_AT, before, true);
    const client = new EmbeddedExecutor().submit(job(first, before, out, before * PAUSE_AT + 40), { batchSize: 5 });
    await first.allPaused;
    const cp = await client.triggerCheckpoint(); // completed and committed
    expect(sorted(committed(out))).toEqual(range(0, before * PAUSE_AT));
    first.release();
    await expect(client.result).rejects.toBeInstanceOf(JobExecutionError);
    expect(hidden(out).some((f) => f.endsWith('.inprogress'))).toBe(true); // the failed attempt's uncommitted data

    const second = new GatedListSource(N, PAUSE_AT, after, false);
    await new EmbeddedExecutor().submit(job(second, after, out), { restoredState: cp.state, batchSize: 5 }).result;
    expect(sorted(committed(out))).toEqual(range(0, N));
    expect(hidden(out)).toEqual([]);
  });
});
