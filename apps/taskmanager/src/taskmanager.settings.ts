/** The TaskManager's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings, Setting } from '@runnel/service-kit';
import { IsJobId, IsResourceId, type JobId, type ResourceId } from '@runnel/protocol';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class TaskManagerSettings extends ServiceSettings {
  @HttpPortSetting(0) override httpPort!: number;

  @Setting({ env: 'TM_SLOTS', flag: 'slots', default: 2, description: 'number of task slots (one worker thread each)' })
  @IsInt({ message: 'must be a whole number' }) @Min(1) @Max(1024)
  slots!: number;

  @Setting({ env: 'RESOURCE_ID', flag: 'resource-id', description: 'stable id of this TaskManager (default: generated); reuse it to re-register after a restart' })
  @IsOptional() @IsResourceId({ message: 'must be letters, digits, ".", "_" or "-" (at most 128), not starting with a symbol' })
  resourceId?: ResourceId;

  @Setting({ env: 'TM_DATA_DIR', flag: 'data-dir', description: 'where job artifacts are cached (default: a folder in the system temp dir)' })
  @IsOptional() @IsString()
  dataDir?: string;

  @Setting({ env: 'TM_PROVIDER', flag: 'provider', default: 'standalone', description: 'who started this TaskManager: standalone, or the resource provider that did (set by the provider)' })
  @IsIn(['standalone', 'process', 'kubernetes'])
  provider!: 'standalone' | 'process' | 'kubernetes';

  @Setting({ env: 'TM_DEDICATED_TO', flag: 'dedicated-to', description: 'a per-job TaskManager: the job id whose slots these are (set by the resource provider)' })
  @IsOptional() @IsJobId({ message: 'must be a job id (32 lower-case hex characters)' })
  dedicatedTo?: JobId;

  @Setting({ env: 'TM_SLOT_MEMORY_MB', flag: 'slot-memory-mb', default: 1024, description: "memory of a slot's worker (MB): a thread's JavaScript heap; a process's heap and resident memory (Buffers included)" })
  @IsInt({ message: 'must be a whole number of MB' }) @Min(32) @Max(1_048_576)
  slotMemoryMb!: number;

  @Setting({ env: 'TASK_STALL_TIMEOUT_MS', flag: 'task-stall-timeout', default: 30_000, description: "a slot's worker whose event loop does not turn for this long (user code that never returns) is terminated and its tasks fail (ms; 0: no watchdog)" })
  @IsInt({ message: 'must be a whole number of ms' }) @Min(0) @Max(86_400_000)
  taskStallTimeoutMs!: number;

  @Setting({ env: 'BUFFER_TIMEOUT_MS', flag: 'buffer-timeout', default: 100, description: "how long a record may wait in an output batch before it is sent, for jobs that set no buffer timeout of their own (ms; 0: send after every emitted batch; -1: only when a batch is full, and at watermarks, barriers and end of input), as Flink's execution.buffer-timeout" })
  @IsInt({ message: 'must be a whole number of ms' }) @Min(-1) @Max(3_600_000)
  bufferTimeoutMs!: number;

  @Setting({ env: 'DEPLOY_TIMEOUT_MS', flag: 'deploy-timeout', default: 60_000, description: "how long a deployment may take to run (loading the job module, building its graph, restoring state) before the slot's worker is terminated (ms; 0: no deadline)" })
  @IsInt({ message: 'must be a whole number of ms' }) @Min(0) @Max(86_400_000)
  deployTimeoutMs!: number;

  @Setting({ env: 'CANCEL_TIMEOUT_MS', flag: 'cancel-timeout', default: 10_000, description: "how long tasks may take to stop when cancelled before their slot's worker is terminated (ms; 0: no deadline); below the JobManager's 15 s wait for a release, so a slot is free on the TaskManager before it is offered again" })
  @IsInt({ message: 'must be a whole number of ms' }) @Min(0) @Max(86_400_000)
  cancelTimeoutMs!: number;

  @Setting({ env: 'TM_SLOT_ISOLATION', flag: 'slot-isolation', default: 'thread', description: "how a slot runs user code: thread (a worker thread) or process (a child process of its own; contains process.abort, signals, native crashes and Buffers)" })
  @IsIn(['thread', 'process'], { message: 'must be thread or process' })
  slotIsolation!: 'thread' | 'process';

  @Setting({ env: 'CHECKPOINT_DIR', flag: 'checkpoint-dir', description: 'keep checkpoint state in this directory (shared with the JobManager) instead of the JetStream Object Store' })
  @IsOptional() @IsString()
  checkpointDir?: string;
}
