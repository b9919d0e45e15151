/**
 * The TaskDeploymentDescriptor of one subtask (Flink's TaskDeploymentDescriptorFactory): what a
 * TaskManager needs to run it — the job's artifact and graph hash, the job's data stream (shared
 * by its attempts), where every subtask runs (in-process channels between neighbours), the
 * vertex's edges, its state to
 * restore — and the names its metric series are labelled with.
 */
import type { JobId, MessageBody, RestoreSpec, SubmitJobRequest, TaskDeploymentDescriptor } from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import type { Execution } from './execution-graph';

export interface DeploymentContext {
  readonly jobId: JobId;
  readonly jobName: string;
  readonly attempt: number;
  readonly submission: MessageBody<SubmitJobRequest>;
  readonly jobGraph: JobGraph;
  readonly dataStream: string;
  readonly locations: Record<string, string[]>;
  readonly slots: Record<string, string[]>;
  readonly checkpointMode?: 'exactly-once' | 'at-least-once';
}

export function taskDeployment(c: DeploymentContext, execution: Execution, restore: RestoreSpec | undefined): MessageBody<TaskDeploymentDescriptor> {
  const slot = execution.slot!;
  const vertex = c.jobGraph.vertices.find((v) => v.id === execution.vertexId);
  return {
    jobId: c.jobId,
    jobName: c.jobName,
    attempt: c.attempt,
    executionAttemptId: execution.attemptId,
    allocationId: slot.allocationId,
    slotIndex: slot.slotIndex,
    vertexId: execution.vertexId,
    // Cut to the descriptor's bounds: labels only, the names in full stay in the REST views.
    ...(vertex ? { taskName: vertex.name.slice(0, 1024), operatorNames: vertex.operators.slice(0, 1000).map((o) => o.name.slice(0, 255)) } : {}),
    subtaskIndex: execution.subtaskIndex,
    artifactHash: c.submission.artifactHash,
    programArgs: c.submission.programArgs,
    ...(c.submission.parallelism ? { parallelism: c.submission.parallelism } : {}),
    jobGraphHash: c.submission.jobGraphHash,
    dataStream: c.dataStream,
    locations: c.locations,
    slots: c.slots,
    edges: c.jobGraph.edges
      .map((e, index) => ({ index, source: e.source, target: e.target, forward: e.partitioner === 'forward' }))
      .filter((e) => e.source === execution.vertexId || e.target === execution.vertexId),
    ...(restore ? { restore } : {}),
    ...(c.checkpointMode ? { checkpointMode: c.checkpointMode } : {}),
  };
}
