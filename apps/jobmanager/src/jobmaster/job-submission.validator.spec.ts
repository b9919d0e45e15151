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
});
