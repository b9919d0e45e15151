/**
 * `runnel checkpoint <jobId>` (POST /jobs/:id/checkpoints, then its status) and
 * `runnel savepoint --dispose <path>` (Flink's POST /savepoint-disposal, then its status).
 */
import type { JobCommandArgs } from './cli.args';
import { CliExitCode, CliUsageError } from './cli.errors';
import type { CommandIo } from './local-run.command';
import { callCluster, clusterConnection } from './cluster-http.client';

interface OperationStatus {
  status: { id: string };
  operation?: { checkpointId?: number; 'failure-cause'?: { 'stack-trace'?: string } };
}

const POLL_MS = 300;

async function waitFor(poll: () => Promise<OperationStatus>): Promise<OperationStatus['operation']> {
  for (;;) {
    const status = await poll();
    if (status.status.id === 'COMPLETED') return status.operation ?? {};
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function checkpoint(args: JobCommandArgs, io: CommandIo): Promise<number> {
  if (!args.job || !/^[0-9a-f]{32}$/.test(args.job)) throw new CliUsageError(`'checkpoint' needs a job id (32 hex characters), got '${args.job ?? ''}'`);
  const jobId = args.job;
  const connection = clusterConnection(args);
  const { 'request-id': trigger } = await callCluster<{ 'request-id': string }>(connection, `/jobs/${jobId}/checkpoints`, { method: 'POST', json: {} });
  io.stdout(`Triggering checkpoint for job ${jobId}.\n`);
  const operation = await waitFor(() => callCluster<OperationStatus>(connection, `/jobs/${jobId}/checkpoints/${trigger}`));
  if (operation?.checkpointId !== undefined) {
    io.stdout(`Checkpoint ${operation.checkpointId} for job ${jobId} completed.\n`);
    return CliExitCode.Ok;
  }
  io.stderr(`Checkpoint failed: ${operation?.['failure-cause']?.['stack-trace'] ?? 'unknown cause'}\n`);
  return CliExitCode.JobFailed;
}

export async function disposeSavepoint(args: JobCommandArgs, io: CommandIo): Promise<number> {
  const path = args.dispose!;
  const connection = clusterConnection(args);
  const { 'request-id': trigger } = await callCluster<{ 'request-id': string }>(connection, '/savepoint-disposal', { method: 'POST', json: { 'savepoint-path': path } });
  io.stdout(`Disposing savepoint '${path}'.\n`);
  const operation = await waitFor(() => callCluster<OperationStatus>(connection, `/savepoint-disposal/${trigger}`));
  if (operation?.['failure-cause']) {
    io.stderr(`Disposing the savepoint failed: ${operation['failure-cause']['stack-trace'] ?? 'unknown cause'}\n`);
    return CliExitCode.JobFailed;
  }
  io.stdout(`Savepoint '${path}' disposed.\n`);
  return CliExitCode.Ok;
}
