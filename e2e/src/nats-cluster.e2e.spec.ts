/**
 * A replicated NATS cluster: three nats-server nodes (routes, JetStream file storage), every
 * Runnel stream, KV bucket and object store with three replicas (JETSTREAM_REPLICAS=3), and the
 * services given all three URLs. The node that leads the leader-election KV's stream is SIGKILLed
 * while a checkpointed Nexmark q5 runs: the control services keep their leadership through
 * JetStream's election (default lease), none exits, and the job finishes with the reference's
 * answer (tools/src/reference, computed here from the same generated events).
 */
import { generateNexmarkEvents } from '@runnel/dataflow';
import { compareRows, readJsonLinesOutput, referenceQ5, type RefEvent } from '@runnel/tools';
import { connect, type NatsConnection } from 'nats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { startTestNatsCluster, type TestNatsCluster } from './support/test-nats-cluster';
import { TestCluster } from './cluster/test-cluster';

const EXAMPLES = resolve(__dirname, '../../examples');
const LEADER_KV_STREAM = 'KV_runnel-leaders';
// Enough events that the job still runs when the node dies: the generator runs as fast as the
// pipeline takes events. 480k were enough under load (the job ran 40-60 s), but on an idle CI
// machine the job had ended its input by the kill (no checkpoint completed after it).
const GENERATOR = { events: 1_500_000, rate: 2000, seed: 11 };

async function checkpointCounts(cluster: TestCluster, jobId: string): Promise<{ completed: number; restored: number }> {
  return (await httpJson<{ counts: { completed: number; restored: number } }>(`${cluster.url}/jobs/${jobId}/checkpoints`)).body.counts;
}

describe('a 3-node NATS cluster with JETSTREAM_REPLICAS=3', () => {
  let nats: TestNatsCluster | undefined;
  let cluster: TestCluster | undefined;
  let nc: NatsConnection | undefined;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-nats-cluster-'));
    nats = await startTestNatsCluster(3);
    nc = await connect({ servers: nats.nodes.map((n) => n.handle.url), name: 'nats-cluster-e2e' });
    cluster = await TestCluster.start({
      taskManagers: 2,
      slots: 2,
      nats: { url: nats.url },
      // The default LEADER_LEASE_MS on purpose: it is the one that must ride out an election.
      env: { JETSTREAM_REPLICAS: '3', DATA_STREAM_STORAGE: 'file', HEARTBEAT_TIMEOUT_MS: '5000' },
    });
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await cluster?.stop();
    await nats?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('SIGKILLing the node that leads the leader KV mid-job: services keep running, q5 output exact', async () => {
    const args = ['--events', String(GENERATOR.events), '--rate', String(GENERATOR.rate), '--seed', String(GENERATOR.seed)];
    // The slots are there once the ResourceManager leads; the JobManager may still be campaigning.
    const leaders = await nc!.jetstream().views.kv('runnel-leaders', { bindOnly: true });
    await waitFor(async () => (await leaders.get('jobmanager').catch(() => null))?.operation === 'PUT', { description: 'a JobManager leader', timeoutMs: 30_000 });
    const output = join(work, 'q5');
    const jobId = await cluster!.run(await cluster!.uploadJob(join(EXAMPLES, 'nexmark-q5.ts')), [...args, '--checkpoint-interval', '500', '--output', `${output}/`], 4);
    await waitFor(async () => (await checkpointCounts(cluster!, jobId)).completed >= 1, { description: 'a first completed checkpoint', timeoutMs: 150_000 });

    // Every stream Runnel created has three replicas: the leader KV, the artifacts, the job's checkpoint bucket, the job's data stream.
    const jsm = await nc!.jetstreamManager();
    const streams = await jsm.streams.list().next();
    const replicas = Object.fromEntries(streams.map((s) => [s.config.name, s.config.num_replicas]));
    expect(Object.keys(replicas).filter((name) => ['KV_runnel-leaders', 'OBJ_runnel-artifacts', `OBJ_runnel-chk-${jobId}`, `runnel-data-${jobId}`].includes(name))).toHaveLength(4);
    expect(Object.values(replicas)).toEqual(Object.values(replicas).map(() => 3));

    const leaderName = await waitFor(() => nats!.streamLeader(nc!, LEADER_KV_STREAM), { description: `a leader of ${LEADER_KV_STREAM}`, timeoutMs: 10_000 });
    const victim = nats!.node(leaderName);
    const exits: string[] = [];
    for (const s of cluster!.services) void s.exited.then((e) => exits.push(`${s.name} exited (${JSON.stringify(e)})`));
    const before = await checkpointCounts(cluster!, jobId);
    const running = await cluster!.job(jobId);
    expect(running.state).toBe('RUNNING');
    // Every task still runs (none has ended its input): the kill falls in the middle of the job.
    expect(running.vertices.filter((v) => v.status !== 'RUNNING').map((v) => `${v.name}: ${v.status}`)).toEqual([]);
    process.kill(victim.handle.pid, 'SIGKILL');
    const exit = await victim.handle.process.exited;
    expect(exit.signal).toBe('SIGKILL');
    const killedAt = Date.now();

    // JetStream elects another leader for the leader KV among the two nodes left.
    const newLeader = await waitFor(async () => {
      const leader = await nats!.streamLeader(nc!, LEADER_KV_STREAM);
      return leader !== undefined && leader !== leaderName && leader;
    }, { description: `a new leader of ${LEADER_KV_STREAM} after ${leaderName} died`, timeoutMs: 30_000 });
    process.stdout.write(`nats cluster: killed ${leaderName} (leader of ${LEADER_KV_STREAM}); new leader ${newLeader} after ${Date.now() - killedAt} ms\n`);

    // A restarted attempt on R3 has taken 60-97 s to finish from its first checkpoint, and whole
    // runs up to 244 s beside other work (most runs do not restart and finish in about 60 s): the
    // deadlines leave room for that and more restarts.
    const job = await cluster!.waitForJob(jobId, ['FINISHED', 'FAILED', 'CANCELED'], 360_000);
    if (job.state !== 'FINISHED') {
      const exceptions = (await httpJson<{ 'all-exceptions': { exception: string }[] }>(`${cluster!.url}/jobs/${jobId}/exceptions`)).body['all-exceptions'];
      expect({ state: job.state, exceptions: exceptions.map((e) => e.exception.split('\n').slice(0, 3).join(' | ')) }).toEqual({ state: 'FINISHED', exceptions: [] });
    }
    const after = await checkpointCounts(cluster!, jobId);
    // The job went on after the kill: more checkpoints completed (and it restored one if a task failed).
    expect(after.completed).toBeGreaterThan(before.completed);
    process.stdout.write(`nats cluster: checkpoints ${JSON.stringify({ before, after })}\n`);

    // No service lost its leadership (and exited): every process of the cluster still runs.
    expect(exits).toEqual([]);
    const lost = cluster!.services.flatMap((s) => s.logs().filter((line) => /LEADERSHIP_LOST|lost the leadership/.test(line)).map((line) => `${s.name}: ${line}`));
    expect(lost).toEqual([]);

    const events = generateNexmarkEvents(GENERATOR) as unknown as RefEvent[];
    const expected = referenceQ5(events);
    const actual = readJsonLinesOutput(output);
    const diff = compareRows(actual, expected);
    expect({ missing: diff.missing.slice(0, 5), unexpected: diff.unexpected.slice(0, 5), counts: [actual.length, expected.length] }).toEqual({
      missing: [],
      unexpected: [],
      counts: [expected.length, expected.length],
    });
    // Three nodes replicating every write to file storage make the job slower than on one server.
  }, 450_000);
});
