import { ValidationError } from '@runnel/protocol';
import { checkSubmission } from './job-submission.validator';

const graph = (parallelism: number, maxParallelism = 128) => ({
  jobName: 'j', config: { parallelism: 1, maxParallelism },
  vertices: [{ id: 'v', name: 'v', parallelism, maxParallelism, slotSharingGroup: 'default', isSource: true, operators: [{ uid: 'v', name: 'v', kind: 'source', inputs: 0, keyed: false, config: {} }] }],
  edges: [],
});
const request = (jobGraph: Record<string, unknown>, parallelism?: number) => ({
  jobId: 'a'.repeat(32), jobName: 'j', artifactHash: 'b'.repeat(64), programArgs: [], jobGraph, jobGraphHash: 'c'.repeat(64), ...(parallelism ? { parallelism } : {}),
});

describe('checkSubmission', () => {
  it('applies MAX_JOB_PARALLELISM to the vertices and the requested parallelism', () => {
    expect(() => checkSubmission(request(graph(2)), 1024)).not.toThrow();
    expect(() => checkSubmission(request(graph(5e7)), 1024)).toThrow(ValidationError);
    expect(() => checkSubmission(request(graph(100, 4096)), 64)).toThrow(/MAX_JOB_PARALLELISM/);
    expect(() => checkSubmission(request(graph(2), 2000), 1024)).toThrow(/parallelism/);
    expect(() => checkSubmission(request(graph(1500, 4096), 1500), 2048)).not.toThrow();
  });

  it('accepts a branched chain and refuses malformed chain fields with VALIDATION_FAILED', () => {
    const op = (uid: string, extra: Record<string, unknown> = {}) => ({ uid, name: uid, kind: 'map', inputs: 1, keyed: false, config: {}, ...extra });
    const branched = (chainedFrom: unknown, sourceOperator: unknown) => ({
      jobName: 'j', config: { parallelism: 1, maxParallelism: 128 },
      vertices: [
        { id: 'v', name: 'v -> (a, b)', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', isSource: true, operators: [op('v', { kind: 'source', inputs: 0 }), op('a', { chainedFrom: 0 }), op('b', { chainedFrom })] },
        { id: 'w', name: 'w', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', isSource: false, operators: [op('w', { kind: 'sink' })] },
      ],
      edges: [{ id: 'e0', source: 'v', target: 'w', targetInput: 0, partitioner: 'hash', sourceOperator }],
    });
    expect(() => checkSubmission(request(branched(0, 'a')), 1024)).not.toThrow();
    for (const [chainedFrom, from, field] of [[2, 'a', 'chainedFrom'], [0, 'w', 'sourceOperator']] as const) {
      let error: unknown;
      try {
        checkSubmission(request(branched(chainedFrom, from)), 1024);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
      expect((error as Error).message).toContain(field);
    }
  });
});
