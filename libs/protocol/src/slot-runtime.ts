/**
 * `@runnel/protocol/slot-runtime`: what a slot worker needs from the protocol at run time — the
 * cluster's data names and the execution states — without the package's barrel. The barrel loads
 * NestJS and class-validator, which took about 600 of the 900 ms a new slot worker needed before
 * it could run a task (measured on 2 cores); every deployment and every recovery paid it. Types
 * may still come from '@runnel/protocol' with `import type`.
 */
export { ClusterNamespace, type ClusterDataNames } from './cluster/cluster-namespace';
export { ExecutionStates, type ExecutionState } from './jobs/job-status';
export { CheckpointIds, type CheckpointId, type ExecutionAttemptId, type JobId } from './ids/ids';
