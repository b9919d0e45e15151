/**
 * `npm run bench` (cluster part): Nexmark q0 and q5 on a real cluster of 2 TaskManagers (records
 * exchanged in-process and over JetStream), beside the raw JetStream ceiling measured in the same
 * run; q5 with checkpoints every second against none (checkpoint durations and sizes); and the
 * recovery time after a TaskManager is killed. Options: --events N (q0; q5 uses half), --skip-recovery.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatRate, renderTable } from '../bench.table';
import { BenchCluster } from './bench-cluster';
import { rawJetStreamBaseline } from './raw-jetstream.baseline';

const EXAMPLES = resolve(__dirname, '../../../../examples');

interface JobRun {
  readonly events: number;
  readonly wallMs: number;
  readonly cores: number;
  readonly jobId: string;
}

async function runJob(cluster: BenchCluster, example: string, events: number, extra: string[] = []): Promise<JobRun> {
  const cpu0 = cluster.taskManagerCpuMs();
  const jobId = await cluster.client.submit(resolve(EXAMPLES, example), {
    programArgs: ['--events', String(events), '--rate', '50000', '--output', `${cluster.dir}/${example}-${Date.now()}/`, ...extra],
    parallelism: 2,
  });
  await cluster.client.awaitResult(jobId, { timeoutMs: 600_000, pollMs: 100 });
  const job = await cluster.client.status(jobId);
  const running = job.timestamps.RUNNING ?? job['start-time'];
  const wallMs = job['end-time'] - running;
  const cores = (cluster.taskManagerCpuMs() - cpu0) / Math.max(1, wallMs);
  return { events, wallMs, cores, jobId };
}

async function recoveryTime(cluster: BenchCluster, events: number): Promise<{ ms: number; restored: number }> {
  const jobId = await cluster.client.submit(resolve(EXAMPLES, 'nexmark-q5.ts'), {
    programArgs: ['--events', String(events), '--rate', '50000', '--checkpoint-interval', '500', '--output', `${cluster.dir}/recovery/`],
    parallelism: 2,
  });
  const deadline = Date.now() + 60_000;
  while ((await cluster.client.checkpoints(jobId)).counts.completed < 1) {
    if (Date.now() > deadline) throw new Error('no checkpoint completed within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const killedAt = Date.now();
  await cluster.taskManagers.get('bench-tm-1')!.kill();
  cluster.startTaskManager('bench-tm-2', 1);
  for (;;) {
    const job = await cluster.client.status(jobId);
    const restored = (await cluster.client.checkpoints(jobId)).counts.restored;
    if (restored >= 1 && (job.state === 'FINISHED' || (job.state === 'RUNNING' && job.vertices.every((v) => v.status === 'RUNNING' || v.status === 'FINISHED')))) {
      const ms = Date.now() - killedAt;
      await cluster.client.awaitResult(jobId, { timeoutMs: 600_000 }).catch(() => undefined);
      return { ms, restored };
    }
    if (Date.now() - killedAt > 120_000) throw new Error(`job did not recover within 120 s (state ${job.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { events: { type: 'string', default: '400000' }, 'skip-recovery': { type: 'boolean' } } });
  const events = Number(values.events);
  const heartbeatTimeoutMs = 2000;
  const cluster = new BenchCluster();
  try {
    await cluster.start({ taskManagers: 2, slots: 1, heartbeatTimeoutMs });
    process.stdout.write(`cluster: 2 TaskManagers × 1 slot, parallelism 2, NATS ${cluster.nats.url}\n`);
    const raw = await rawJetStreamBaseline(cluster.nats.url, events);
    const rawRate = (raw.events * 1000) / raw.wallMs;
    const q0 = await runJob(cluster, 'nexmark-q0.ts', events);
    const q5 = await runJob(cluster, 'nexmark-q5.ts', Math.floor(events / 2));
    const q5cp = await runJob(cluster, 'nexmark-q5.ts', Math.floor(events / 2), ['--checkpoint-interval', '1000']);
    const rate = (r: JobRun) => (r.events * 1000) / r.wallMs;
    const rows = [
      ['raw JetStream publish+fetch', formatRate(rawRate), '-', '-', `${raw.messages} msgs × ${Math.round(raw.bytes / raw.messages)} B`],
      ['q0 (cluster)', formatRate(rate(q0)), q0.cores.toFixed(2), formatRate(rate(q0) / Math.max(q0.cores, 0.01)), 'one chain: no record crosses JetStream'],
      ['q5 (cluster, keyed exchange)', formatRate(rate(q5)), q5.cores.toFixed(2), formatRate(rate(q5) / Math.max(q5.cores, 0.01)), `${((rate(q5) / rawRate) * 100).toFixed(0)}% of raw`],
      ['q5 + checkpoints every 1 s', formatRate(rate(q5cp)), q5cp.cores.toFixed(2), formatRate(rate(q5cp) / Math.max(q5cp.cores, 0.01)), `${((rate(q5cp) / rate(q5)) * 100).toFixed(0)}% of no checkpoints`],
    ];
    process.stdout.write(renderTable(['what', 'events/s', 'TM cores', 'events/s per core', 'note'], rows) + '\n');
    const cp = await cluster.client.checkpoints(q5cp.jobId);
    const summary = cp.summary as { state_size: { avg: number; max: number }; end_to_end_duration: { avg: number; max: number } };
    process.stdout.write(
      `checkpoints of q5: ${cp.counts.completed} completed, ${cp.counts.failed} failed; duration avg ${summary.end_to_end_duration.avg} ms, max ${summary.end_to_end_duration.max} ms; ` +
        `size avg ${(summary.state_size.avg / 1024).toFixed(0)} KiB, max ${(summary.state_size.max / 1024).toFixed(0)} KiB\n`,
    );
    if (!values['skip-recovery']) {
      const recovery = await recoveryTime(cluster, events * 4);
      process.stdout.write(`recovery after SIGKILL of a TaskManager (heartbeat timeout ${heartbeatTimeoutMs} ms, replacement started at once): ${recovery.ms} ms until all tasks run again\n`);
    }
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
