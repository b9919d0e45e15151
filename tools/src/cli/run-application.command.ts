/**
 * `runnel run-application`: Flink's application mode. One command starts a cluster of its own on
 * this machine (NATS, Postgres, ResourceManager, JobManager, dispatcher, TaskManagers — the
 * supervising LocalCluster), hands the program to that cluster's dispatcher, which checks it and
 * builds its graph in a worker thread (POST /jars/upload, then /jars/:id/run — the client never
 * builds the graph), follows the job to its end, and then stops everything it started.
 *
 * Infrastructure: private NATS and Postgres under the data directory, or the servers named by
 * NATS_URL / DATABASE_URL. On a given Postgres it creates a database of its own
 * (`runnel_app_<8 hex>`) and drops it at the end; on a given NATS it runs in a namespace of its
 * own (CLUSTER_ID=app-<8 hex>, unless CLUSTER_ID is set: then it refuses to start while another
 * cluster leads in that namespace), and it deletes its artifact at the end. Every HTTP port is a
 * free one.
 *
 * Exit codes: 0 FINISHED, 1 FAILED (root cause printed) or the cluster could not be started,
 * 2 usage, 3 CANCELED (by someone else), 128 + signal number when interrupted (SIGINT 130,
 * SIGTERM 143, SIGHUP 129) — the job is cancelled and the cluster stopped first.
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { connect } from 'nats';
import { natsConnectOptions, natsCredentialsFromEnv, natsServers, redactNatsUrls } from '@runnel/protocol/nats-connect-options';
import {
  createDatabase,
  databaseUrlFor,
  dropDatabase,
  findFreePort,
  findRepoRoot,
  isNatsReachable,
  isPostgresReachable,
  redact,
  RELOCATED_MARKER,
  RUNNEL_SYSTEM_DIR,
} from '../infra';
import { outputPathOf, readJobOutput, resolvePathArgs } from './job-output.util';
import { LocalCluster } from '../cluster/local-cluster';
import type { JobCommandArgs } from './cli.args';
import { CliUsageError } from './cli.errors';
import type { CommandIo } from './local-run.command';

export const ApplicationExitCode = {
  Finished: 0,
  Failed: 1,
  Usage: 2,
  Canceled: 3,
} as const;

/** Slots per TaskManager when --slots is not given. */
export const DEFAULT_APPLICATION_SLOTS = 2;

/** Rows of the job's `--output` printed after it finished. */
const PREVIEW_ROWS = 20;
/** Lines of the root cause printed when the job failed. */
const ROOT_CAUSE_LINES = 15;
const POLL_INTERVAL_MS = 250;
/** The dispatcher may be restarted by the supervisor meanwhile; give up following only after this. */
const FOLLOW_ERROR_BUDGET_MS = 60_000;
/** After a cancel was asked for (Ctrl-C), the cluster stops at the latest this long after. */
const CANCEL_DEADLINE_MS = 30_000;
/** The KV bucket Runnel's services elect their leaders in (libs/service-kit LEADER_BUCKET). */
const LEADER_BUCKET = 'runnel-leaders';

export interface ApplicationPlan {
  /** The job file, absolute. */
  readonly job: string;
  /** The job's arguments, --input/--output made absolute. */
  readonly jobArgs: readonly string[];
  readonly parallelism?: number;
  readonly slots: number;
  readonly taskmanagers: number;
  /** --data-dir, absolute (kept afterwards); undefined: a fresh temp dir, removed afterwards. */
  readonly dataDir?: string;
  /** `per-job`: the ResourceManager starts TaskManagers for the job alone. */
  readonly target?: 'per-job';
}

/** Checks the command line (usage errors throw CliUsageError: exit 2, nothing started). */
export function planApplication(args: JobCommandArgs, cwd: string): ApplicationPlan {
  if (args.job === undefined) throw new CliUsageError("'run-application' needs a job file (e.g. examples/word-count.ts)");
  const job = resolve(cwd, args.job);
  if (!existsSync(job)) throw new CliUsageError(`job file not found: ${args.job}`);
  if (!statSync(job).isFile()) throw new CliUsageError(`job file ${args.job} is not a file`);
  const slots = args.slots ?? DEFAULT_APPLICATION_SLOTS;
  const taskmanagers = args.taskmanagers ?? Math.max(1, Math.ceil((args.parallelism ?? 1) / slots));
  return {
    job,
    jobArgs: resolvePathArgs(args.jobArgs, cwd),
    ...(args.parallelism !== undefined ? { parallelism: args.parallelism } : {}),
    slots,
    taskmanagers,
    ...(args.dataDir !== undefined ? { dataDir: resolve(cwd, args.dataDir) } : {}),
  };
}

/** The exit code for a job's final state. */
export function exitCodeForState(state: string): number {
  if (state === 'FINISHED') return ApplicationExitCode.Finished;
  if (state === 'CANCELED') return ApplicationExitCode.Canceled;
  return ApplicationExitCode.Failed;
}

/** 128 + the signal's number, as shells report a process a signal ended. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** The first lines of a root cause, indented; says how many more there were. */
export function rootCauseHead(text: string, maxLines = ROOT_CAUSE_LINES): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const shown = lines.slice(0, maxLines).map((line) => `  ${line}`);
  if (lines.length > maxLines) shown.push(`  … (${lines.length - maxLines} more lines: GET /jobs/<id>/exceptions)`);
  return shown.join('\n');
}

/** Something the command could not do before or around the job (exit 1, no usage text). */
class ApplicationError extends Error {
  readonly code = 'CLI_APPLICATION';
}

export interface RunApplicationOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Checkout whose built services run (default: this one; RUNNEL_REPO_ROOT overrides). */
  readonly repoRoot?: string;
}

interface JobState {
  jobId?: string;
  jarId?: string;
}

export async function runApplication(args: JobCommandArgs, io: CommandIo, options: RunApplicationOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const plan = planApplication(args, cwd);
  const repoRoot = options.repoRoot ?? (env['RUNNEL_REPO_ROOT'] || findRepoRoot(__dirname));
  const out = (line: string) => io.stdout(`${line}\n`);
  const err = (line: string) => io.stderr(`${line}\n`);

  let interrupted: NodeJS.Signals | undefined;
  let cluster: LocalCluster | undefined;
  let following = false;
  /** The job reached its end: a signal now only hurries the shutdown, the job's code stands. */
  let ended = false;
  const job: JobState = {};
  let restUrl: string | undefined;
  let cancelTimer: NodeJS.Timeout | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      err(`${signal} again: killing the cluster's processes`);
      cluster?.killAll();
      cluster?.stop();
      return;
    }
    if (ended) {
      err(`\n${signal}: the job has ended and the cluster is stopping (again to kill it at once)`);
      return;
    }
    interrupted = signal;
    err(`\n${signal}: ${job.jobId ? `cancelling job ${job.jobId} and ` : ''}stopping the cluster (again to kill it at once)`);
    if (job.jobId && restUrl) {
      void requestCancel(restUrl, job.jobId, err);
      cancelTimer = setTimeout(() => cluster?.stop(), CANCEL_DEADLINE_MS);
    } else if (!following) {
      // Still starting: nothing to cancel. (While uploading, the job flow stops at its next step.)
      cluster?.stop();
    }
  };
  const handled: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of handled) process.on(s, onSignal);

  let createdDatabase: { adminUrl: string; name: string } | undefined;
  let tempDir: string | undefined;
  let scratchDir: string | undefined;
  let code: number | undefined;
  try {
    // Infrastructure given by the environment: checked, and a database of our own on it.
    const natsUrl = env['NATS_URL'] || undefined;
    // On a shared NATS the application gets a namespace of its own (CLUSTER_ID=app-<hex>), so it
    // neither sees nor disturbs a session cluster there; one given in the environment is kept.
    const clusterId = env['CLUSTER_ID'] || (natsUrl ? `app-${randomBytes(4).toString('hex')}` : undefined);
    if (natsUrl && clusterId) {
      if (!(await isNatsReachable(natsUrl, 3_000))) throw new ApplicationError(`NATS_URL=${redactNatsUrls(natsUrl)} does not answer (or has no JetStream)`);
      // A cluster elects in its namespace's bucket: someone leading there would take this job.
      const bucket = clusterId === 'default' ? LEADER_BUCKET : `${LEADER_BUCKET}-${clusterId}`;
      const leaders = await runnelLeadersOn(natsUrl, bucket);
      if (leaders.length > 0) {
        throw new ApplicationError(
          `NATS_URL=${redactNatsUrls(natsUrl)} already serves a Runnel cluster${clusterId === 'default' ? '' : ` with CLUSTER_ID=${clusterId}`} ` +
            `(leaders: ${leaders.join(', ')}); its services would take this application's job. Use a NATS of its own, ` +
            `another CLUSTER_ID, or unset NATS_URL for a private one`,
        );
      }
    }
    let databaseUrl: string | undefined;
    const givenDatabase = env['DATABASE_URL'] || undefined;
    if (givenDatabase && !interrupted) {
      const candidates = [givenDatabase, databaseUrlFor(givenDatabase, 'postgres')];
      let adminUrl: string | undefined;
      for (const candidate of candidates) {
        if (await isPostgresReachable(candidate, 3_000)) {
          adminUrl = candidate;
          break;
        }
      }
      if (!adminUrl) throw new ApplicationError(`DATABASE_URL=${redact(givenDatabase)} does not answer`);
      const name = `runnel_app_${randomBytes(4).toString('hex')}`;
      databaseUrl = await createDatabase(adminUrl, name);
      createdDatabase = { adminUrl, name };
      out(`created database ${name} on ${redact(adminUrl)} (dropped at the end)`);
    }

    let dataDir = plan.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    else dataDir = tempDir = mkdtempSync(join(tmpdir(), 'runnel-app-'));
    // The services' own temp files (the dispatcher's and TaskManagers' artifact caches) go inside
    // the data dir too, so nothing of this run is left in the system temp dir.
    scratchDir = join(dataDir, 'tmp');
    mkdirSync(scratchDir, { recursive: true });
    const port = await findFreePort();
    if (interrupted) return signalExitCode(interrupted);

    let jobCode: number | undefined;
    // With an account key (NATS operator mode), the job runs as a per-job deployment: the
    // ResourceManager starts its TaskManagers, each with a NATS user minted for this job alone,
    // instead of this command starting them with the credentials it was given.
    const perJobUsers = Boolean(env['TM_NATS_ACCOUNT_SEED_FILE']);
    if (perJobUsers) out('==> TaskManagers: started for this job by the ResourceManager, each with a NATS user for this job alone (TM_NATS_ACCOUNT_SEED_FILE)');
    const theCluster = new LocalCluster({
      ...(perJobUsers ? { resourceProvider: 'process' as const } : {}),
      taskmanagers: perJobUsers ? 0 : plan.taskmanagers,
      slots: plan.slots,
      port,
      dataDir,
      repoRoot,
      natsUrl,
      databaseUrl,
      logLevel: env['LOG_LEVEL'] || undefined,
      // An application cluster is the isolated choice: its slots run as processes unless TM_SLOT_ISOLATION says otherwise.
      serviceEnv: { TMPDIR: scratchDir, ...(clusterId ? { CLUSTER_ID: clusterId } : {}), TM_SLOT_ISOLATION: env['TM_SLOT_ISOLATION'] || 'process' },
      print: (line) => {
        // The session cluster's hint; this cluster stops by itself when the job ends.
        if (!line.startsWith('Press Ctrl-C')) out(line);
      },
      onReady: async (ready, stopping) => {
        following = true;
        restUrl = ready.restUrl;
        try {
          jobCode = await runJob(ready.restUrl, { ...plan, ...(perJobUsers ? { target: 'per-job' as const } : {}) }, job, {
            out,
            err,
            stopping,
            interrupted: () => interrupted,
            onJobId: (jobId) => {
              if (interrupted) {
                void requestCancel(ready.restUrl, jobId, err);
                cancelTimer ??= setTimeout(() => theCluster.stop(), CANCEL_DEADLINE_MS);
              }
            },
          });
          ended = true;
          if (natsUrl && job.jarId) await deleteJar(ready.restUrl, job.jarId);
        } catch (error) {
          err(`runnel: ${(error as Error).message}`);
          jobCode = ApplicationExitCode.Failed;
        } finally {
          ended = true;
          out('==> stopping the application cluster');
          theCluster.stop();
        }
      },
    });
    cluster = theCluster;
    if (interrupted) return signalExitCode(interrupted);
    await theCluster.run();
    // No job outcome: the cluster did not come up (LocalCluster printed why), or it stopped first.
    code = jobCode ?? ApplicationExitCode.Failed;
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    err(`runnel: ${(error as Error).message}`);
    code = ApplicationExitCode.Failed;
  } finally {
    if (cancelTimer) clearTimeout(cancelTimer);
    if (createdDatabase) {
      const { adminUrl, name } = createdDatabase;
      await dropDatabase(adminUrl, name).then(
        () => out(`dropped database ${name}`),
        (error: unknown) => err(`runnel: could not drop database ${name}: ${(error as Error).message}`),
      );
    }
    if (tempDir) removeTempDataDir(tempDir, err);
    else if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
    for (const s of handled) process.off(s, onSignal);
  }
  return interrupted ? signalExitCode(interrupted) : (code ?? ApplicationExitCode.Failed);
}

interface JobFlowIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Aborts when the cluster stops. */
  readonly stopping: AbortSignal;
  readonly interrupted: () => NodeJS.Signals | undefined;
  readonly onJobId: (jobId: string) => void;
}

/** Upload, run, follow; returns the exit code for the job's end. */
async function runJob(restUrl: string, plan: ApplicationPlan, job: JobState, io: JobFlowIo): Promise<number> {
  const { out, err } = io;
  io.out(`==> uploading ${plan.job} (the dispatcher checks it and builds its graph)`);
  const artifact = await bundleJobArtifact(plan.job);
  const form = new FormData();
  form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
  const jar = await rest<{ id: string }>(`${restUrl}/jars/upload`, { method: 'POST', body: form }, 120_000);
  job.jarId = jar.id;
  // Interrupted while uploading: nothing runs yet (the signal decides the exit code).
  if (io.interrupted() || io.stopping.aborted) return ApplicationExitCode.Failed;
  const p = plan.parallelism ? ` at parallelism ${plan.parallelism}` : '';
  out(`==> running ${artifact.filename}${p}${plan.jobArgs.length ? ` with ${plan.jobArgs.join(' ')}` : ''}`);
  // Files written before the run are not this job's output (1 s of slack for coarse clocks).
  const since = Date.now() - 1000;
  const { jobid } = await rest<{ jobid: string }>(
    `${restUrl}/jars/${jar.id}/run`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ programArgsList: plan.jobArgs, ...(plan.parallelism ? { parallelism: plan.parallelism } : {}), ...(plan.target ? { target: plan.target } : {}) }),
    },
    120_000,
  );
  job.jobId = jobid;
  out(`job ${jobid} submitted`);
  io.onJobId(jobid);

  const started = Date.now();
  let last: string | undefined;
  let failingSince: number | undefined;
  let state: string | undefined;
  while (!io.stopping.aborted) {
    try {
      state = (await rest<{ state: string }>(`${restUrl}/jobs/${jobid}`, {}, 10_000)).state;
      failingSince = undefined;
    } catch (error) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince > FOLLOW_ERROR_BUDGET_MS) throw new ApplicationError(`lost track of job ${jobid}: ${(error as Error).message}`);
      state = undefined;
    }
    if (state !== undefined && state !== last) {
      out(`job ${jobid}: ${state}`);
      last = state;
    }
    if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') break;
    await delay(POLL_INTERVAL_MS, io.stopping);
  }
  if (state !== 'FINISHED' && state !== 'FAILED' && state !== 'CANCELED') {
    err(`job ${jobid}: the cluster stopped before the job ended`);
    return ApplicationExitCode.Failed;
  }
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (state === 'FAILED') {
    let cause: string | undefined;
    try {
      cause = (await rest<{ 'root-exception'?: string }>(`${restUrl}/jobs/${jobid}/exceptions`, {}, 10_000))['root-exception'];
    } catch (error) {
      cause = `(the root cause could not be fetched: ${(error as Error).message})`;
    }
    err(`job ${jobid} FAILED after ${took}; root cause:\n${rootCauseHead(cause ?? '(none recorded)')}`);
    return ApplicationExitCode.Failed;
  }
  if (state === 'CANCELED') {
    out(`job ${jobid} CANCELED after ${took}`);
    return ApplicationExitCode.Canceled;
  }
  out(`job ${jobid} FINISHED in ${took}`);
  const output = outputPathOf(plan.jobArgs);
  if (output !== undefined) {
    try {
      const rows = readJobOutput(output, since);
      const shown = Math.min(rows.length, PREVIEW_ROWS);
      out(`output ${output}: ${rows.length} rows${shown < rows.length ? ` (the first ${shown})` : ''}`);
      for (const row of rows.slice(0, shown)) out(`  ${JSON.stringify(row)}`);
    } catch (error) {
      out(`output ${output}: not readable as JSON Lines (${(error as Error).message})`);
    }
  }
  return ApplicationExitCode.Finished;
}

async function rest<T>(url: string, init: RequestInit, timeoutMs: number): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ApplicationError(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: (T & { errors?: string[] }) | undefined;
  try {
    body = text ? (JSON.parse(text) as T & { errors?: string[] }) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok || body === undefined) {
    throw new ApplicationError(`${init.method ?? 'GET'} ${new URL(url).pathname} → ${response.status}: ${(body?.errors ?? [text]).join('; ')}`);
  }
  return body;
}

async function requestCancel(restUrl: string, jobId: string, err: (line: string) => void): Promise<void> {
  try {
    await rest(`${restUrl}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' }, 10_000);
  } catch (error) {
    // The JobManager cancels its jobs when it is stopped, which follows anyway.
    err(`cancelling job ${jobId}: ${(error as Error).message}`);
  }
}

async function deleteJar(restUrl: string, jarId: string): Promise<void> {
  await rest(`${restUrl}/jars/${jarId}`, { method: 'DELETE' }, 10_000).catch(() => undefined);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveDelay) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveDelay();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Leaders elected on `natsUrl` right now (a running Runnel cluster), as `service (id)`. */
async function runnelLeadersOn(natsUrl: string, bucket: string): Promise<string[]> {
  const nc = await connect({ ...natsConnectOptions(natsCredentialsFromEnv(process.env)), servers: natsServers(natsUrl), timeout: 3_000, reconnect: false, maxReconnectAttempts: 0 });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 3_000 });
    try {
      await jsm.streams.info(`KV_${bucket}`);
    } catch {
      return []; // no bucket: no Runnel cluster ever ran there
    }
    const kv = await nc.jetstream().views.kv(bucket, { bindOnly: true });
    const leaders: string[] = [];
    for await (const key of await kv.keys()) {
      const entry = await kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.value.length > 0) leaders.push(`${key} (${entry.string()})`);
    }
    return leaders;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/**
 * Removes the temp data dir, and the Postgres data that was relocated for it (as root, user
 * postgres cannot enter a mkdtemp dir; its data then lives under /var/lib/runnel/data/<hash>).
 */
function removeTempDataDir(dir: string, err: (line: string) => void): void {
  try {
    const marker = join(dir, 'postgres', RELOCATED_MARKER);
    if (existsSync(marker)) {
      const relocated = (JSON.parse(readFileSync(marker, 'utf8')) as { dataDir?: unknown }).dataDir;
      const root = join(RUNNEL_SYSTEM_DIR, 'data') + sep;
      if (typeof relocated === 'string' && relocated.startsWith(root)) rmSync(dirname(relocated), { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    err(`runnel: could not remove ${dir}: ${(error as Error).message}`);
  }
}
