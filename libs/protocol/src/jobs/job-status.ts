/** Job and task states, as Flink names them (JobStatus, ExecutionState). */

export const JobStatuses = {
  Initializing: 'INITIALIZING',
  Created: 'CREATED',
  Running: 'RUNNING',
  Failing: 'FAILING',
  Failed: 'FAILED',
  Cancelling: 'CANCELLING',
  Canceled: 'CANCELED',
  Finished: 'FINISHED',
  Restarting: 'RESTARTING',
  Suspended: 'SUSPENDED',
} as const;
export type JobStatus = (typeof JobStatuses)[keyof typeof JobStatuses];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = [JobStatuses.Finished, JobStatuses.Canceled, JobStatuses.Failed];

export const ExecutionStates = {
  Created: 'CREATED',
  Scheduled: 'SCHEDULED',
  Deploying: 'DEPLOYING',
  Initializing: 'INITIALIZING',
  Running: 'RUNNING',
  Finished: 'FINISHED',
  Canceling: 'CANCELING',
  Canceled: 'CANCELED',
  Failed: 'FAILED',
} as const;
export type ExecutionState = (typeof ExecutionStates)[keyof typeof ExecutionStates];
export const TERMINAL_EXECUTION_STATES: readonly ExecutionState[] = [ExecutionStates.Finished, ExecutionStates.Canceled, ExecutionStates.Failed];
