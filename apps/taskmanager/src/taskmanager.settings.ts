/** The TaskManager's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings, Setting } from '@runnel/service-kit';
import { ResourceIds } from '@runnel/protocol';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class TaskManagerSettings extends ServiceSettings {
  @HttpPortSetting(0) override httpPort!: number;

  @Setting({ env: 'TM_SLOTS', flag: 'slots', default: 2, description: 'number of task slots (one worker thread each)' })
  @IsInt({ message: 'must be a whole number' }) @Min(1) @Max(1024)
  slots!: number;

  @Setting({ env: 'RESOURCE_ID', flag: 'resource-id', description: 'stable id of this TaskManager (default: generated); reuse it to re-register after a restart' })
  @IsOptional() @Matches(ResourceIds.pattern, { message: 'must be letters, digits, ".", "_" or "-" (at most 128), not starting with a symbol' })
  resourceId?: string;

  @Setting({ env: 'TM_DATA_DIR', flag: 'data-dir', description: 'where job artifacts are cached (default: a folder in the system temp dir)' })
  @IsOptional() @IsString()
  dataDir?: string;

  @Setting({ env: 'TM_PROVIDER', flag: 'provider', default: 'standalone', description: 'who started this TaskManager: standalone, or the resource provider that did (set by the provider)' })
  @IsIn(['standalone', 'process', 'kubernetes'])
  provider!: 'standalone' | 'process' | 'kubernetes';

  @Setting({ env: 'TM_DEDICATED_TO', flag: 'dedicated-to', description: 'a per-job TaskManager: the job id whose slots these are (set by the resource provider)' })
  @IsOptional() @Matches(/^[0-9a-f]{32}$/, { message: 'must be a job id (32 lower-case hex characters)' })
  dedicatedTo?: string;

  @Setting({ env: 'CHECKPOINT_DIR', flag: 'checkpoint-dir', description: 'keep checkpoint state in this directory (shared with the JobManager) instead of the JetStream Object Store' })
  @IsOptional() @IsString()
  checkpointDir?: string;
}
