import { JobIds, ResourceIds } from '../ids/ids';
import { ClusterNamespace } from './cluster-namespace';
import { jobTaskManagerPermissions } from './job-taskmanager.permissions';

/** NATS subject matching, written out here: `*` is one whole token, `>` one or more at the end. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const allowed = (patterns: readonly string[], subject: string) => patterns.some((p) => matches(p, subject));

describe('jobTaskManagerPermissions', () => {
  const job = JobIds.generate();
  const other = JobIds.generate();
  const source = JobIds.generate();
  const tm = ResourceIds.parse('tm-job123456-0a1b2c3d');

  for (const ns of [ClusterNamespace.DEFAULT, ClusterNamespace.of('team-a')]) {
    describe(`in the ${ns.id} cluster`, () => {
      const { publish, subscribe, inboxPrefix } = jobTaskManagerPermissions({ namespace: ns, jobId: job, resourceId: tm, restoresFrom: [source] });
      const streamOf = (j: typeof job) => ns.data.stream(j);
      const bucketOf = (j: typeof job) => `OBJ_${ns.checkpointBucketOf(j)}`;

      it("allows its own job's records, credits, consumers, checkpoint state and RPC subjects, for any attempt", () => {
        for (const attempt of [0, 7]) {
          expect(allowed(publish, ns.data.subject(job, attempt, 2, 1))).toBe(true);
          expect(allowed(publish, ns.data.credit(job, attempt, 2, 0))).toBe(true);
          expect(allowed(subscribe, ns.data.credit(job, attempt, 2, 0))).toBe(true);
        }
        expect(allowed(publish, `$JS.API.CONSUMER.CREATE.${streamOf(job)}.c1.${ns.data.subject(job, 3, 0, 1)}`)).toBe(true);
        expect(allowed(publish, `$JS.API.CONSUMER.MSG.NEXT.${streamOf(job)}.c1`)).toBe(true);
        expect(allowed(publish, `$JS.ACK.${streamOf(job)}.c1.1.5.5.1700000000.0`)).toBe(true);
        expect(allowed(publish, `$O.${ns.checkpointBucketOf(job)}.C.abc`)).toBe(true);
        expect(allowed(publish, `$JS.API.STREAM.INFO.${bucketOf(job)}`)).toBe(true);
        expect(allowed(subscribe, ns.subject(`runnel.taskmanager.${tm}.submitTask`))).toBe(true);
        expect(allowed(publish, ns.subject('runnel.jobmanager.updateTaskExecutionState'))).toBe(true);
        expect(allowed(subscribe, `${inboxPrefix}.abc.1`)).toBe(true);
      });

      it('reads, and does not write, the checkpoint state of the job it restores from', () => {
        expect(allowed(publish, `$JS.API.STREAM.MSG.GET.${bucketOf(source)}`)).toBe(true);
        expect(allowed(publish, `$JS.API.CONSUMER.CREATE.${bucketOf(source)}.x.$O.${ns.checkpointBucketOf(source)}.C.abc`)).toBe(true);
        expect(allowed(publish, `$O.${ns.checkpointBucketOf(source)}.C.abc`)).toBe(false);
        expect(allowed(publish, `$JS.API.STREAM.PURGE.${bucketOf(source)}`)).toBe(false);
      });

      it("refuses another job's records, credits, consumers and state, other TaskManagers, shared inboxes, KV and stream admin", () => {
        for (const subject of [ns.data.subject(other, 0, 0, 0), ns.data.credit(other, 0, 0, 0), `$JS.API.CONSUMER.MSG.NEXT.${streamOf(other)}.c1`, `$JS.API.CONSUMER.INFO.${streamOf(other)}.c1`, `$JS.ACK.${streamOf(other)}.c1.1.1.1.1.0`, `$O.${ns.checkpointBucketOf(other)}.C.abc`, `$JS.API.STREAM.MSG.GET.${bucketOf(other)}`, `$JS.API.CONSUMER.CREATE.${bucketOf(other)}`]) {
          expect([subject, allowed(publish, subject)]).toEqual([subject, false]);
        }
        for (const subject of [ns.data.credit(other, 0, 0, 0), ns.data.subject(other, 0, 0, 0), ns.subject('runnel.taskmanager.tm-other.submitTask'), '_INBOX.abc.1', '_INBOX_tm-other.abc']) {
          expect([subject, allowed(subscribe, subject)]).toEqual([subject, false]);
        }
        for (const subject of ['$KV.runnel-leaders.dispatcher', `$JS.API.STREAM.DELETE.${streamOf(job)}`, `$JS.API.STREAM.CREATE.${streamOf(other)}`, `$JS.API.STREAM.PURGE.${streamOf(job)}`, ns.subject('runnel.dispatcher.listJobs'), ns.subject('runnel.jobmanager.cancelJob'), '_INBOX.abc']) {
          expect([subject, allowed(publish, subject)]).toEqual([subject, false]);
        }
      });
    });
  }
});
