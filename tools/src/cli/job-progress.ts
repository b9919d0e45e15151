/**
 * `runnel run` (attached) follows its job with live progress from the metric REST API: the job's
 * state, records per second out of the sources and into the sinks, the watermark lag (now minus
 * the lowest input watermark of the non-source vertices) and the checkpoints. On a terminal one
 * line is redrawn in place; otherwise a plain line is printed on every state change and every
 * PLAIN_EVERY_MS, so logs stay readable.
 */
import type { CommandIo } from './local-run.command';

export interface ProgressJobView {
  state: string;
  /** ms since the job started (to its end once it ended); -1 before it started. */
  duration?: number;
  vertices: { id: string; name: string; status: string }[];
  plan?: { nodes?: { id: string; inputs?: { id: string }[] }[] };
}

export interface Progress {
  readonly state: string;
  readonly sourceOutPerSecond: number;
  readonly sinkInPerSecond: number;
  /** ms, undefined when no event-time watermark is known yet. */
  readonly watermarkLagMs?: number;
  /** The lowest input watermark (epoch ms) the lag is measured from. */
  readonly watermark?: number;
  readonly checkpointsCompleted: number;
  readonly checkpointsFailed: number;
}

type Get = <T>(path: string) => Promise<T>;
type Agg = { id: string; sum?: number; min?: number };
type Value = { id: string; value: string };

const PLAIN_EVERY_MS = 5000;
/** Flink's Long.MIN_VALUE / MAX_VALUE are "no watermark yet" / "end of input": no lag to show. */
const isRealWatermark = (wm: number) => Number.isFinite(wm) && Math.abs(wm) < 2 ** 62;

export function sourcesAndSinks(job: ProgressJobView): { sources: string[]; sinks: string[] } {
  const nodes = job.plan?.nodes ?? [];
  const fed = new Set(nodes.flatMap((n) => (n.inputs ?? []).map((i) => i.id)));
  return {
    sources: nodes.filter((n) => !n.inputs || n.inputs.length === 0).map((n) => n.id),
    sinks: nodes.filter((n) => !fed.has(n.id)).map((n) => n.id),
  };
}

export async function readProgress(get: Get, jobId: string, job: ProgressJobView, now: number): Promise<Progress> {
  const { sources, sinks } = sourcesAndSinks(job);
  const sum = async (vertex: string, metric: string) => {
    const [m] = await get<Agg[]>(`/jobs/${jobId}/vertices/${vertex}/subtasks/metrics?get=${metric}&agg=sum`).catch(() => [] as Agg[]);
    return m?.sum ?? 0;
  };
  const [outs, ins, marks, checkpoints] = await Promise.all([
    Promise.all(sources.map((v) => sum(v, 'numRecordsOutPerSecond'))),
    Promise.all(sinks.map((v) => sum(v, 'numRecordsInPerSecond'))),
    Promise.all(
      job.vertices
        .filter((v) => !sources.includes(v.id))
        .map(async (v) => (await get<Agg[]>(`/jobs/${jobId}/vertices/${v.id}/subtasks/metrics?get=currentInputWatermark&agg=min`).catch(() => [] as Agg[]))[0]?.min),
    ),
    get<Value[]>(`/jobs/${jobId}/metrics?get=numberOfCompletedCheckpoints,numberOfFailedCheckpoints`).catch(() => [] as Value[]),
  ]);
  const real = marks.filter((m): m is number => m !== undefined && isRealWatermark(m));
  const value = (id: string) => Number(checkpoints.find((c) => c.id === id)?.value ?? 0);
  return {
    state: job.state,
    sourceOutPerSecond: outs.reduce((a, b) => a + b, 0),
    sinkInPerSecond: ins.reduce((a, b) => a + b, 0),
    ...(real.length ? { watermarkLagMs: Math.max(0, now - Math.min(...real)), watermark: Math.min(...real) } : {}),
    checkpointsCompleted: value('numberOfCompletedCheckpoints'),
    checkpointsFailed: value('numberOfFailedCheckpoints'),
  };
}

/** Beyond this the input's event time is not "now" (replayed or generated data): the lag says nothing, the time does. */
const LAG_SHOWN_UP_TO_MS = 24 * 3600_000;

function watermark({ watermarkLagMs: lag, watermark: at }: Progress): string {
  if (lag === undefined) return 'watermark lag –';
  if (lag <= LAG_SHOWN_UP_TO_MS || at === undefined) return `watermark lag ${(lag / 1000).toFixed(1)} s`;
  return `watermark at ${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')} (event time)`;
}

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

export function formatProgress(p: Progress): string {
  // The rates are the last the job's tasks reported: only a running job has current ones (a
  // restarting job showed its failed attempt's rates as if it were still processing).
  const live = p.state === 'RUNNING';
  const out = live ? rate(p.sourceOutPerSecond) : '–';
  const into = live ? rate(p.sinkInPerSecond) : '–';
  return `${p.state}  sources out ${out}  sinks in ${into}  ${watermark(p)}  checkpoints ${p.checkpointsCompleted} (${p.checkpointsFailed} failed)`;
}

/** The closing lines of a followed job that finished (Flink's words). */
export function jobFinishedMessage(jobid: string, durationMs: number | undefined): string {
  return `Job with JobID ${jobid} has finished.\n${durationMs !== undefined && durationMs >= 0 ? `Job Runtime: ${Math.round(durationMs)} ms\n` : ''}`;
}

/** Writes progress lines: redrawn in place on a TTY, throttled plain lines otherwise. */
export class ProgressPrinter {
  private lastState = '';
  private lastPrinted = 0;
  private drawn = false;

  constructor(
    private readonly io: CommandIo,
    private readonly tty: boolean,
  ) {}

  show(p: Progress, now: number): void {
    const line = formatProgress(p);
    if (this.tty) {
      this.io.stdout(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (p.state !== this.lastState || now - this.lastPrinted >= PLAIN_EVERY_MS) {
      this.io.stdout(`${line}\n`);
      this.lastPrinted = now;
    }
    this.lastState = p.state;
  }

  /** Ends the redrawn line so what follows starts on its own. */
  done(): void {
    if (this.drawn) this.io.stdout('\n');
    this.drawn = false;
  }
}

/**
 * The line printed when a followed job ended without finishing. A cancelled job's root exception
 * is from a failure it had recovered from (a lost TaskManager, say), not why it ended: printed as
 * if it were, it blamed the TaskManager for the user's own cancel.
 */
export function jobEndMessage(jobid: string, state: 'FAILED' | 'CANCELED', rootException: string | undefined): string {
  if (state === 'FAILED') return `Job ${jobid} FAILED${rootException ? `:\n${rootException}` : ''}\n`;
  const earlier = rootException ? `\nIt had recovered from an earlier failure before that: ${rootException.split('\n')[0]}` : '';
  return `Job ${jobid} was CANCELED.${earlier}\n`;
}
