import {
  ARTIFACT_BUCKET, LEGACY_CHECKPOINT_BUCKET, ClusterNamespace, DataNames, DispatcherSubjects, InvalidClusterIdError, JobIds, JobMasterSubjects,
  ResourceManagerSubjects, TaskExecutorSubjects, bindSubject,
} from '../index';

const jobId = JobIds.generate();
const allSubjects = [
  ...Object.values(ResourceManagerSubjects),
  ...Object.values(JobMasterSubjects),
  ...Object.values(DispatcherSubjects),
  ...Object.values(TaskExecutorSubjects).map((s) => bindSubject(s, { resourceId: 'tm-1' })),
];

describe('ClusterNamespace', () => {
  describe('the default cluster', () => {
    const ns = ClusterNamespace.of();

    it('is the default one, whether named or not', () => {
      expect(ns).toBe(ClusterNamespace.DEFAULT);
      expect(ClusterNamespace.of('default')).toBe(ClusterNamespace.DEFAULT);
      expect(ns.isDefault).toBe(true);
      expect(ns.id).toBe('default');
    });

    it('leaves every subject exactly as it is', () => {
      expect(ns.subjects(allSubjects)).toEqual(allSubjects);
      expect(ns.subject('runnel.resourcemanager.requestSlots')).toBe('runnel.resourcemanager.requestSlots');
    });

    it('leaves JetStream names, buckets and the database as they are', () => {
      expect(ns.jetStreamNames(['runnel-leaders', 'x'])).toEqual(['runnel-leaders', 'x']);
      expect(ns.artifactBucket).toBe(ARTIFACT_BUCKET);
      expect(ns.legacyCheckpointBucket).toBe(LEGACY_CHECKPOINT_BUCKET);
      expect(ns.checkpointBucketOf(jobId)).toBe(`runnel-chk-${jobId}`);
      expect(ns.databaseName()).toBe('runnel');
    });

    it('has the data names of DataNames', () => {
      expect(ns.data.stream(jobId)).toBe(DataNames.stream(jobId));
      expect(ns.data.stream(jobId)).toBe(`runnel-data-${jobId}`);
      expect(ns.data.streamSubjects(jobId)).toBe(DataNames.streamSubjects(jobId));
      expect(ns.data.attemptSubjects(jobId, 3)).toBe(DataNames.attemptSubjects(jobId, 3));
      expect(ns.data.attemptSubjects(jobId, 3)).toBe(`runnel.data.${jobId}.3.>`);
      expect(ns.data.subject(jobId, 3, 1, 2)).toBe(DataNames.subject(jobId, 3, 1, 2));
      expect(ns.data.credit(jobId, 3, 1, 2)).toBe(DataNames.credit(jobId, 3, 1, 2));
      expect(ns.data.consumer(3, 1, 2)).toBe(DataNames.consumer(3, 1, 2));
      expect(ns.data.consumer(3, 1, 2)).toBe('a3-e1-p2');
    });

    it("recognises its own data streams, consumers and subjects, not another cluster's", () => {
      expect(ns.data.jobOf(DataNames.stream(jobId))).toBe(jobId);
      expect(ns.data.jobOf(ClusterNamespace.of('a').data.stream(jobId))).toBeUndefined();
      expect(ns.data.jobOf(`runnel-data-${jobId}-0`)).toBeUndefined();
      expect(ns.data.jobOf('runnel-data-other')).toBeUndefined();
      expect(ns.data.jobOf('KV_runnel-leaders')).toBeUndefined();
      expect(ns.data.attemptOfConsumer(ns.data.consumer(7, 0, 3))).toBe(7);
      expect(ns.data.attemptOfConsumer(ClusterNamespace.of('a').data.consumer(7, 0, 3))).toBeUndefined();
      expect(ns.data.attemptOfConsumer('e0-p3')).toBeUndefined();
      expect(ns.data.attemptOfSubject(ns.data.subject(jobId, 12, 0, 1), jobId)).toBe(12);
      expect(ns.data.attemptOfSubject(ns.data.subject(JobIds.generate(), 12, 0, 1), jobId)).toBeUndefined();
      expect(ns.data.attemptOfSubject(ClusterNamespace.of('a').data.subject(jobId, 12, 0, 1), jobId)).toBeUndefined();
    });
  });

  describe('another cluster', () => {
    const ns = ClusterNamespace.of('team-a_1');

    it('puts subjects after `runnel.`', () => {
      expect(ns.isDefault).toBe(false);
      expect(ns.subject('runnel.resourcemanager.requestSlots')).toBe('runnel.team-a_1.resourcemanager.requestSlots');
      expect(ns.subject('runnel.taskmanager.tm-1.submitTask')).toBe('runnel.team-a_1.taskmanager.tm-1.submitTask');
      expect(ns.subject('elsewhere.x')).toBe('runnel.team-a_1.elsewhere.x');
      const prefixed = ns.subjects(allSubjects);
      expect(prefixed.every((s) => s.startsWith('runnel.team-a_1.'))).toBe(true);
      expect(new Set([...prefixed, ...allSubjects]).size).toBe(2 * allSubjects.length);
    });

    it('suffixes JetStream names, buckets included, and names its own database', () => {
      expect(ns.jetStreamName('runnel-leaders')).toBe('runnel-leaders-team-a_1');
      expect(ns.jetStreamNames(['a', 'b'])).toEqual(['a-team-a_1', 'b-team-a_1']);
      expect(ns.artifactBucket).toBe('runnel-artifacts-team-a_1');
      expect(ns.legacyCheckpointBucket).toBe('runnel-checkpoints-team-a_1');
      expect(ns.checkpointBucketOf(jobId)).toBe(`runnel-chk-${jobId}-team-a_1`);
      expect(ns.databaseName()).toBe('runnel_team-a_1');
      for (const name of [ns.artifactBucket, ns.checkpointBucketOf(jobId), ns.data.stream(jobId), ns.data.consumer(0, 0, 1)]) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    it('namespaces the data names: stream, its subjects, credits and consumers', () => {
      expect(ns.data.stream(jobId)).toBe(`runnel-data-${jobId}-team-a_1`);
      expect(ns.data.streamSubjects(jobId)).toBe(`runnel.team-a_1.data.${jobId}.>`);
      expect(ns.data.attemptSubjects(jobId, 2)).toBe(`runnel.team-a_1.data.${jobId}.2.>`);
      expect(ns.data.subject(jobId, 2, 0, 1)).toBe(`runnel.team-a_1.data.${jobId}.2.0.1`);
      expect(ns.data.credit(jobId, 2, 0, 1)).toBe(`runnel.team-a_1.credit.${jobId}.2.0.1`);
      expect(ns.data.consumer(2, 0, 1)).toBe('a2-e0-p1-team-a_1');
    });

    it("recognises its own streams, consumers and subjects, not the default cluster's or another's", () => {
      expect(ns.data.jobOf(ns.data.stream(jobId))).toBe(jobId);
      expect(ns.data.jobOf(DataNames.stream(jobId))).toBeUndefined();
      expect(ns.data.jobOf(ClusterNamespace.of('b').data.stream(jobId))).toBeUndefined();
      // A cluster whose id ends like another's: the job id's fixed length keeps them apart.
      expect(ClusterNamespace.of('a_1').data.jobOf(ns.data.stream(jobId))).toBeUndefined();
      expect(ClusterNamespace.DEFAULT.data.jobOf(ns.data.stream(jobId))).toBeUndefined();
      expect(ns.data.attemptOfConsumer(ns.data.consumer(4, 1, 0))).toBe(4);
      expect(ns.data.attemptOfConsumer(DataNames.consumer(4, 1, 0))).toBeUndefined();
      expect(ClusterNamespace.DEFAULT.data.attemptOfConsumer(ns.data.consumer(4, 1, 0))).toBeUndefined();
      expect(ns.data.attemptOfSubject(ns.data.subject(jobId, 4, 1, 0), jobId)).toBe(4);
      expect(ns.data.attemptOfSubject(DataNames.subject(jobId, 4, 1, 0), jobId)).toBeUndefined();
    });

    it('recognises its streams of the former layout (one per attempt) by name and subjects', () => {
      expect(ns.data.legacyJobOf(`runnel-data-${jobId}-3-team-a_1`, [`runnel.team-a_1.data.${jobId}.3.>`])).toBe(jobId);
      expect(ns.data.legacyJobOf(`runnel-data-${jobId}-3-team-a_1`, [`runnel.team-a_1.data.${jobId}.4.>`])).toBeUndefined();
      expect(ns.data.legacyJobOf(ns.data.stream(jobId), [ns.data.streamSubjects(jobId)])).toBeUndefined();
      const def = ClusterNamespace.DEFAULT.data;
      expect(def.legacyJobOf(`runnel-data-${jobId}-3`, [`runnel.data.${jobId}.3.>`])).toBe(jobId);
      // Cluster `3`'s stream of the job has the same name: its subjects tell it apart.
      const three = ClusterNamespace.of('3').data;
      expect(three.stream(jobId)).toBe(`runnel-data-${jobId}-3`);
      expect(def.legacyJobOf(three.stream(jobId), [three.streamSubjects(jobId)])).toBeUndefined();
      expect(def.legacyJobOf(`runnel-data-${jobId}-3`, undefined)).toBeUndefined();
    });
  });

  describe('invalid ids', () => {
    it.each([
      ['', 'expected 1 to 32 lower-case letters'],
      ['Upper', 'expected 1 to 32 lower-case letters'],
      ['a.b', 'expected 1 to 32 lower-case letters'],
      ['a*', 'expected 1 to 32 lower-case letters'],
      ['-a', 'starting with a letter or digit'],
      ['a'.repeat(33), 'expected 1 to 32'],
      ['taskmanager', 'reserved'],
      ['data', 'reserved'],
    ])('refuses %j saying why', (id, reason) => {
      let error: unknown;
      try {
        ClusterNamespace.of(id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidClusterIdError);
      expect((error as InvalidClusterIdError).code).toBe('INVALID_CLUSTER_ID');
      expect((error as Error).message).toContain(`Invalid cluster id ${JSON.stringify(id)}: `);
      expect((error as Error).message).toContain(reason);
    });

    it('takes the longest valid id', () => {
      expect(ClusterNamespace.of('a'.repeat(32)).id).toHaveLength(32);
    });
  });
});
