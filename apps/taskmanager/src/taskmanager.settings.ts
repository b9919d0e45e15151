/** The TaskManager's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings, Setting } from '@runnel/service-kit';
import { ResourceIds } from '@runnel/protocol';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

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

  @Setting({ env: 'CHECKPOINT_DIR', flag: 'checkpoint-dir', description: 'keep checkpoint state in this directory (shared with the JobManager) instead of the JetStream Object Store' })
  @IsOptional() @IsString()
  checkpointDir?: string;
}
