/** The JobManager's settings: flags and env vars, validated at start. */
import { DatabaseSettings, HttpPortSetting, Setting } from '@runnel/service-kit';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { JobGraphLimits } from '@runnel/protocol';
import { IsPathList } from './savepoints/path-list.setting';
import { defaultSavepointDirs } from './savepoints/savepoint-locations.policy';

export class JobManagerSettings extends DatabaseSettings {
  @HttpPortSetting(8082) override httpPort!: number;

  @Setting({ env: 'SLOT_REQUEST_TIMEOUT_MS', flag: 'slot-request-timeout', default: 60_000, description: 'how long a job waits for enough free slots before it fails (ms)' })
  @IsInt() @Min(100) @Max(86_400_000)
  slotRequestTimeoutMs!: number;

  @Setting({ env: 'DATA_STREAM_STORAGE', flag: 'data-stream-storage', default: 'memory', description: 'storage of the JetStream streams that carry records between tasks: memory or file' })
  @IsIn(['memory', 'file'])
  dataStreamStorage!: 'memory' | 'file';

  @Setting({ env: 'CHECKPOINT_DIR', flag: 'checkpoint-dir', description: 'keep checkpoint state in this directory (shared by every TaskManager) instead of the JetStream Object Store' })
  @IsOptional() @IsString()
  checkpointDir?: string;

  @Setting({
    env: 'SAVEPOINT_DIRS',
    flag: 'savepoint-dirs',
    default: defaultSavepointDirs(),
    description: 'directories savepoints may be written to and read from (target-directory, savepointPath), :-separated like PATH',
  })
  @IsPathList()
  savepointDirs!: string;

  @Setting({ env: 'JOB_HISTORY_SIZE', flag: 'job-history-size', default: 100, description: "ended jobs the JobManager keeps in memory (Flink's jobstore.max-capacity); older ones are served from the job store" })
  @IsInt() @Min(0) @Max(1_000_000)
  jobHistorySize!: number;

  @Setting({ env: 'JOB_HISTORY_EXPIRY_MS', flag: 'job-history-expiry', default: 3_600_000, description: "how long the JobManager keeps an ended job in memory (Flink's jobstore.expiration-time, ms)" })
  @IsInt() @Min(1000) @Max(31_536_000_000)
  jobHistoryExpiryMs!: number;

  @Setting({ env: 'ORPHAN_SWEEP_INTERVAL_MS', flag: 'orphan-sweep-interval', default: 60_000, description: 'how often the leader deletes data streams of job attempts that do not run (ms; 0: never)' })
  @IsInt() @Min(0) @Max(86_400_000)
  orphanSweepIntervalMs!: number;

  @Setting({ env: 'MAX_JOB_PARALLELISM', flag: 'max-job-parallelism', default: JobGraphLimits.defaultMaxJobParallelism, description: 'largest parallelism of a job vertex accepted (at most 32768)' })
  @IsInt() @Min(1) @Max(JobGraphLimits.maxParallelism)
  maxJobParallelism!: number;
}
