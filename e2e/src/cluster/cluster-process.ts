/**
 * The local cluster command (`npm start`, tools/dist/cluster/main.js) as a test drives it: one
 * process that starts and supervises everything, plus the REST calls tests make on its dispatcher.
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { startManagedProcess, type ManagedProcess } from '@runnel/tools';
import { join, resolve } from 'node:path';
import { findFreePort, httpJson, waitFor } from '../support';
import type { JobDetails } from './test-cluster';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CLUSTER_MAIN = join(REPO_ROOT, 'tools', 'dist', 'cluster', 'main.js');

export interface RestTaskManager {
  id: string;
  pid: number;
  provider: string;
  dedicatedTo: string | null;
  slotsNumber: number;
  freeSlots: number;
}

/** The dispatcher's REST API, as the tests use it. */
export class ClusterRest {
  constructor(readonly url: string) {}

  async overview(): Promise<{ taskmanagers: number; 'slots-total': number; 'slots-available': number } | undefined> {
    try {
      const { status, body } = await httpJson<{ taskmanagers: number; 'slots-total': number; 'slots-available': number }>(`${this.url}/overview`);
      return status === 200 ? body : undefined;
    } catch {
      return undefined;
    }
  }

  async taskManagers(): Promise<RestTaskManager[]> {
    return (await httpJson<{ taskmanagers: RestTaskManager[] }>(`${this.url}/taskmanagers`)).body.taskmanagers;
  }

  async uploadJob(entry: string): Promise<string> {
    const artifact = await bundleJobArtifact(entry);
    const form = new FormData();
    form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
    const response = await fetch(`${this.url}/jars/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
    const body = (await response.json()) as { id?: string };
    if (response.status !== 200 || !body.id) throw new Error(`upload of ${entry} failed (${response.status}): ${JSON.stringify(body)}`);
    return body.id;
  }

  async run(jarId: string, programArgsList: string[], options: { parallelism?: number; target?: 'session' | 'per-job' } = {}): Promise<string> {
    const { status, body } = await httpJson<{ jobid?: string }>(`${this.url}/jars/${jarId}/run`, {
      body: { programArgsList, ...options },
      timeoutMs: 60_000,
    });
    if (status !== 200 || !body.jobid) throw new Error(`run failed (${status}): ${JSON.stringify(body)}`);
    return body.jobid;
  }

  async job(jobId: string): Promise<JobDetails> {
    return (await httpJson<JobDetails>(`${this.url}/jobs/${jobId}`)).body;
  }

  waitForJob(jobId: string, states: readonly string[], timeoutMs = 180_000): Promise<JobDetails> {
    return waitFor(
      async () => {
        const job = await this.job(jobId);
        return states.includes(job.state) && job;
      },
      { description: `job ${jobId} to reach ${states.join(' or ')}`, timeoutMs, intervalMs: 200 },
    );
  }

  async checkpointCounts(jobId: string): Promise<{ completed: number; restored: number }> {
    return (await httpJson<{ counts: { completed: number; restored: number } }>(`${this.url}/jobs/${jobId}/checkpoints`)).body.counts;
  }

  async rootException(jobId: string): Promise<string | undefined> {
    return (await httpJson<{ 'root-exception'?: string }>(`${this.url}/jobs/${jobId}/exceptions`)).body['root-exception'];
  }
}

export interface ClusterProcess {
  readonly proc: ManagedProcess;
  readonly rest: ClusterRest;
  /** Everything the command printed so far. */
  output(): string;
  /** Waits until the output matches; a timeout shows the output's last lines (what it was doing). */
  untilOutput(pattern: RegExp, description: string, timeoutMs: number): Promise<void>;
}

/**
 * Starts the command with these arguments (plus `--port`) and environment changes; resolves once
 * `/overview` passes `ready`. Its output is kept (RUNNEL_E2E_LOGS=1 also prints it).
 */
export async function startClusterProcess(
  args: readonly string[],
  env: Record<string, string | undefined>,
  ready: (overview: { taskmanagers: number }) => boolean,
  timeoutMs = 120_000,
): Promise<ClusterProcess> {
  const port = await findFreePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const proc = startManagedProcess({
    name: 'cluster',
    command: process.execPath,
    args: [CLUSTER_MAIN, '--port', String(port), ...args],
    env: childEnv,
    cwd: REPO_ROOT,
    keepLines: 5000,
    output: process.env['RUNNEL_E2E_LOGS'] ? { type: 'prefix', stream: process.stderr } : { type: 'buffer' },
  });
  const rest = new ClusterRest(`http://127.0.0.1:${port}`);
  const output = () => proc.logs().join('\n');
  try {
    await waitFor(async () => {
      const overview = await rest.overview();
      return overview !== undefined && ready(overview);
    }, {
      description: 'the cluster to come up',
      timeoutMs,
      intervalMs: 250,
      abortIf: () => (proc.exitInfo() ? new Error(`the cluster exited early (${JSON.stringify(proc.exitInfo())})`) : undefined),
    });
  } catch (error) {
    await proc.kill();
    throw new Error(`${(error as Error).message}\n--- cluster output ---\n${proc.logs().slice(-80).join('\n')}`);
  }
  const untilOutput = async (pattern: RegExp, description: string, timeoutMs: number): Promise<void> => {
    try {
      await waitFor(() => pattern.test(output()), { description, timeoutMs });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- cluster output ---\n${proc.logs().slice(-80).join('\n')}`);
    }
  };
  return { proc, rest, output, untilOutput };
}

/** A text whose WordCount is large enough to be mid-run when a fault is injected, and its counts. */
export function bigWordCountInput(lines = 400_000): { text: string; expected: Map<string, number> } {
  const vocabulary = Array.from({ length: 2000 }, (_, i) => `w${(i * 7919) % 100_003}`);
  const out: string[] = [];
  const expected = new Map<string, number>();
  for (let l = 0; l < lines; l++) {
    const words = [vocabulary[(l * 31) % 2000], vocabulary[(l * 17 + 3) % 2000], vocabulary[(l * l) % 2000], vocabulary[l % 2000]];
    for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
    out.push(words.join(' '));
  }
  return { text: `${out.join('\n')}\n`, expected };
}
