/**
 * The CLI's cluster commands, over the dispatcher's REST API (Flink's shapes): `run` uploads the
 * job (bundled into its single-file artifact), runs it and follows it to its end; `list`,
 * `cancel`, `savepoint` and `stop` act on running jobs. The job id is always printed. Calls go
 * through cluster-http.client.ts (token, HTTPS with a private CA).
 */
import { bundleJobArtifact } from '@runnel/dataflow';
import { existsSync } from 'node:fs';
import type { JobCommandArgs } from './cli.args';
import { CliExitCode, CliUsageError } from './cli.errors';
import type { CommandIo } from './local-run.command';
import { jobEndMessage, jobFinishedMessage, ProgressPrinter, readProgress, type ProgressJobView } from './job-progress';
import { callCluster, clusterConnection, type ClusterCall, type ClusterConnection } from './cluster-http.client';

/** A call on the cluster's REST API, by path. */
type Call = <T>(path: string, call?: ClusterCall) => Promise<T>;

function clusterOf(args: JobCommandArgs): Call {
  const connection: ClusterConnection = clusterConnection(args);
  return (path, call) => callCluster(connection, path, call);
}

const json = (body: unknown): ClusterCall => ({ method: 'POST', json: body });

export { ClusterRequestError, DEFAULT_CLUSTER } from './cluster-http.client';

type JobView = ProgressJobView;

export async function runOnCluster(args: JobCommandArgs, io: CommandIo): Promise<number> {
  if (!args.job) throw new CliUsageError("'run' needs a job file");
  if (!existsSync(args.job)) throw new CliUsageError(`job file ${args.job} does not exist`);
  const call = clusterOf(args);
  const artifact = await bundleJobArtifact(args.job);
  const form = new FormData();
  form.append('jarfile', new Blob([artifact.bytes]), artifact.filename);
  const jar = await call<{ id: string }>('/jars/upload', { form });
  const { jobid } = await call<{ jobid: string }>(
    `/jars/${jar.id}/run`,
    json({
      programArgsList: args.jobArgs,
      ...(args.parallelism ? { parallelism: args.parallelism } : {}),
      ...(args.fromSavepoint ? { savepointPath: args.fromSavepoint } : {}),
      ...(args.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      ...(args.target ? { target: args.target } : {}),
    }),
  );
  io.stdout(`Job has been submitted with JobID ${jobid}\n`);
  if (args.detached) return CliExitCode.Ok;
  const printer = new ProgressPrinter(io, io.tty ?? false);
  for (;;) {
    const job = await call<JobView>(`/jobs/${jobid}`);
    printer.show(await readProgress(call, jobid, job, Date.now()), Date.now());
    if (job.state === 'FINISHED') {
      printer.done();
      io.stdout(jobFinishedMessage(jobid, job.duration));
      return CliExitCode.Ok;
    }
    if (job.state === 'FAILED' || job.state === 'CANCELED') {
      printer.done();
      const exceptions = await call<{ 'root-exception'?: string }>(`/jobs/${jobid}/exceptions`);
      io.stderr(jobEndMessage(jobid, job.state, exceptions['root-exception']));
      return CliExitCode.JobFailed;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Flink's `list -r` and `-s` groups. */
const RUNNING_STATES = ['RUNNING', 'RESTARTING', 'FAILING', 'CANCELLING', 'SUSPENDED'];
const SCHEDULED_STATES = ['CREATED', 'INITIALIZING'];

export async function listJobs(args: JobCommandArgs, io: CommandIo): Promise<number> {
  const overview = await clusterOf(args)<{ jobs: { jid: string; name: string; state: string; 'start-time': number; duration: number }[] }>('/jobs/overview');
  const filtered = !args.all && (args.running || args.scheduled);
  const jobs = filtered
    ? overview.jobs.filter((j) => (args.running && RUNNING_STATES.includes(j.state)) || (args.scheduled && SCHEDULED_STATES.includes(j.state)))
    : overview.jobs.slice();
  // Oldest first, as Flink's `flink list` prints them (the overview comes in the cluster's order).
  jobs.sort((a, b) => a['start-time'] - b['start-time']);
  if (jobs.length === 0) io.stdout(filtered ? 'No jobs in the requested states.\n' : 'No jobs.\n');
  for (const j of jobs) io.stdout(`${new Date(j['start-time']).toISOString()} : ${j.jid} : ${j.name} (${j.state}, ${Math.round(j.duration / 1000)} s)\n`);
  return CliExitCode.Ok;
}

export async function cancelJob(args: JobCommandArgs, io: CommandIo): Promise<number> {
  const jobId = requireJobId(args, 'cancel');
  await clusterOf(args)(`/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
  io.stdout(`Cancelled job ${jobId}.\n`);
  return CliExitCode.Ok;
}

/** `savepoint` and `stop`: trigger, then wait for the savepoint's location. */
export async function savepoint(args: JobCommandArgs, io: CommandIo, stop: boolean): Promise<number> {
  const jobId = requireJobId(args, stop ? 'stop' : 'savepoint');
  const call = clusterOf(args);
  const body = { ...(args.targetDirectory ? { targetDirectory: args.targetDirectory } : {}), ...(stop && args.drain ? { drain: true } : {}) };
  const { 'request-id': trigger } = await call<{ 'request-id': string }>(`/jobs/${jobId}/${stop ? 'stop' : 'savepoints'}`, json(body));
  io.stdout(`Triggering savepoint for job ${jobId}.\n`);
  for (;;) {
    const status = await call<{ status: { id: string }; operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string } } }>(`/jobs/${jobId}/savepoints/${trigger}`);
    if (status.status.id === 'COMPLETED') {
      if (status.operation?.location) {
        io.stdout(`Savepoint completed. Path: ${status.operation.location}\n`);
        return CliExitCode.Ok;
      }
      io.stderr(`Savepoint failed: ${status.operation?.['failure-cause']?.['stack-trace'] ?? 'unknown cause'}\n`);
      return CliExitCode.JobFailed;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function requireJobId(args: JobCommandArgs, command: string): string {
  if (!args.job || !/^[0-9a-f]{32}$/.test(args.job)) throw new CliUsageError(`'${command}' needs a job id (32 hex characters), got '${args.job ?? ''}'`);
  return args.job;
}
