import { ClusterNamespace, JobId, JobIds, JobStatuses, StoredJob, testingResourceManagerGateway, testingTaskExecutorGateway } from '@runnel/protocol';
import type { NatsConnection } from 'nats';
import { JobManagerService } from './job-manager.service';
import { JobRecoveryService } from './job-recovery.service';

const id = (c: string) => JobIds.parse(c.repeat(32));
const hash = (c: string) => c.repeat(64);

function stored(jobId: JobId, status: StoredJob['status'], extra: Partial<StoredJob> = {}): StoredJob {
  return {
    jobId, name: `job ${jobId.slice(0, 4)}`, status, artifactHash: hash('a'), jobGraphHash: hash('b'),
    jobGraph: { jobName: 'x' }, programArgs: ['--n', '1'], parallelism: 2, ...extra,
  };
}

function setup(jobs: StoredJob[], options: { listFailures?: number; runningHere?: string[]; namespace?: ClusterNamespace } = {}) {
  const statusUpdates: Array<[string, string]> = [];
  const releasedSlots: string[] = [];
  const releasedOn: string[] = [];
  const deletedStreams: string[] = [];
  const submitted: unknown[] = [];
  let listFailures = options.listFailures ?? 0;
  const rm = testingResourceManagerGateway({
    listJobs: async () => {
      if (listFailures-- > 0) throw new Error('no ResourceManager answers');
      return { jobs: jobs.map(({ jobGraph: _graph, ...rest }) => rest) };
    },
    getJob: async ({ jobId }) => ({ job: jobs.find((j) => j.jobId === jobId) as StoredJob }),
    listTaskManagers: async () => ({ taskManagers: [{ id: 'tm-1' }, { id: 'tm-2' }] as never }),
    releaseSlots: async ({ jobId }) => (releasedSlots.push(jobId), {}),
    updateJobStatus: async ({ jobId, status }) => (statusUpdates.push([jobId, status]), {}),
  });
  const taskExecutor = (resourceId: string) =>
    testingTaskExecutorGateway({ releaseJob: async ({ jobId }) => (releasedOn.push(`${resourceId}:${jobId}`), {}) });
  // Each job's data stream, one of the former layout (per attempt) in the default cluster, and
  // cluster `a`'s and cluster `3`'s of the same job, which are not the default cluster's to delete.
  const streams = jobs.flatMap((j) => [
    { name: `runnel-data-${j.jobId}`, subjects: [`runnel.data.${j.jobId}.>`] },
    { name: `runnel-data-${j.jobId}-3`, subjects: [`runnel.data.${j.jobId}.3.>`] },
    { name: `runnel-data-${j.jobId}-a`, subjects: [`runnel.a.data.${j.jobId}.>`] },
    { name: `runnel-data-${j.jobId}-3`, subjects: [`runnel.3.data.${j.jobId}.>`] },
  ]).concat([{ name: 'KV_runnel-leaders', subjects: ['$KV.runnel-leaders.>'] }]);
  const connection = {
    jetstreamManager: async () => ({
      streams: {
        list: () => (async function* () {
          for (const config of streams) yield { config };
        })(),
        delete: async (name: string) => (deletedStreams.push(name), true),
      },
    }),
  } as unknown as NatsConnection;
  const claimed = new Set<string>(options.runningHere ?? []);
  const jobManager = {
    submitJob: async (request: unknown) => (submitted.push(request), { jobId: 'x' }),
    claimForRecovery: (jobId: string) => (claimed.has(jobId) ? false : (claimed.add(jobId), true)),
    releaseRecoveryClaim: () => undefined,
  } as unknown as JobManagerService;
  const service = new JobRecoveryService(rm, taskExecutor, connection, jobManager, options.namespace);
  return { service, statusUpdates, releasedSlots, releasedOn, deletedStreams, submitted };
}

describe('JobRecoveryService', () => {
  it('resubmits a job with the savepoint and deployment target it was started with', async () => {
    const job = id('5');
    const t = setup([stored(job, JobStatuses.Running, { savepointPath: 'savepoint://' + id('4') + '/3', allowNonRestoredState: true, target: 'per-job' })]);
    expect((await t.service.recoverJobs(1000)).resubmitted).toEqual([job]);
    expect(t.submitted[0]).toMatchObject({ jobId: job, savepointPath: 'savepoint://' + id('4') + '/3', allowNonRestoredState: true, target: 'per-job' });
  });

  it('leaves alone a job this JobManager runs already (submitted while recovery waited)', async () => {
    const mine = id('9');
    const t = setup([stored(mine, JobStatuses.Running)], { runningHere: [mine] });
    expect(await t.service.recoverJobs(1000)).toEqual({ resubmitted: [], ended: [], failed: [] });
    expect(t.releasedSlots).toEqual([]);
    expect(t.deletedStreams).toEqual([]);
    expect(t.statusUpdates).toEqual([]);
  });

  it('resubmits unfinished jobs under their id after releasing what the previous leader left', async () => {
    const running = id('1');
    const t = setup([stored(running, JobStatuses.Running), stored(id('2'), JobStatuses.Finished), stored(id('3'), JobStatuses.Canceled)]);
    const report = await t.service.recoverJobs(1000);
    expect(report).toEqual({ resubmitted: [running], ended: [], failed: [] });
    expect(t.submitted).toEqual([
      {
        jobId: running, jobName: `job ${running.slice(0, 4)}`, artifactHash: hash('a'), programArgs: ['--n', '1'], parallelism: 2,
        jobGraph: { jobName: 'x' }, jobGraphHash: hash('b'),
      },
    ]);
    expect(t.releasedOn.sort()).toEqual([`tm-1:${running}`, `tm-2:${running}`]);
    expect(t.releasedSlots).toEqual([running]);
    expect(t.deletedStreams).toEqual([`runnel-data-${running}`, `runnel-data-${running}-3`]);
  });

  it('finishes the way of jobs that were being cancelled or failed', async () => {
    const t = setup([stored(id('4'), JobStatuses.Cancelling), stored(id('5'), JobStatuses.Failing)]);
    const report = await t.service.recoverJobs(1000);
    expect(report.ended).toEqual([{ jobId: id('4'), status: JobStatuses.Canceled }, { jobId: id('5'), status: JobStatuses.Failed }]);
    expect(t.submitted).toEqual([]);
    expect(t.releasedSlots).toEqual([id('4'), id('5')]);
    expect(t.deletedStreams).toEqual([`runnel-data-${id('4')}`, `runnel-data-${id('4')}-3`, `runnel-data-${id('5')}`, `runnel-data-${id('5')}-3`]);
  });

  it("deletes its own cluster's data stream of a job it takes over, not the default cluster's", async () => {
    const running = id('8');
    const t = setup([stored(running, JobStatuses.Running)], { namespace: ClusterNamespace.of('a') });
    expect((await t.service.recoverJobs(1000)).resubmitted).toEqual([running]);
    expect(t.deletedStreams).toEqual([`runnel-data-${running}-a`]);
  });

  it('fails a job the store cannot resubmit, saying what is missing', async () => {
    const t = setup([stored(id('6'), JobStatuses.Running, { jobGraphHash: undefined })]);
    const report = await t.service.recoverJobs(1000);
    expect(report.failed).toEqual([{ jobId: id('6'), reason: expect.stringMatching(/no job graph hash/) }]);
    expect(t.statusUpdates).toEqual([[id('6'), JobStatuses.Failed]]);
  });

  it('waits for a ResourceManager that does not answer yet', async () => {
    const t = setup([stored(id('7'), JobStatuses.Restarting)], { listFailures: 2 });
    expect((await t.service.recoverJobs(10_000)).resubmitted).toEqual([id('7')]);
  });
});
