/** Injection tokens of the JobManager's providers. */
export const RESOURCE_MANAGER_GATEWAY = Symbol('RESOURCE_MANAGER_GATEWAY');
export const TASK_EXECUTOR_GATEWAYS = Symbol('TASK_EXECUTOR_GATEWAYS');
export const DATA_STREAM_ADMIN = Symbol('DATA_STREAM_ADMIN');
export const JOB_MASTER_SETTINGS = Symbol('JOB_MASTER_SETTINGS');
export const CHECKPOINT_REPOSITORY = Symbol('CHECKPOINT_REPOSITORY');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
