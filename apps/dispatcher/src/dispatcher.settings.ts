/** The dispatcher's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings, Setting } from '@runnel/service-kit';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class DispatcherSettings extends ServiceSettings {
  @HttpPortSetting(8081) override httpPort!: number;

  @Setting({ env: 'ARTIFACT_MAX_BYTES', flag: 'artifact-max-bytes', default: 64 * 1024 * 1024, description: 'largest job artifact accepted (bytes)' })
  @IsInt() @Min(1) @Max(1024 * 1024 * 1024)
  artifactMaxBytes!: number;

  @Setting({ env: 'ARTIFACT_INSPECT_TIMEOUT_MS', flag: 'artifact-inspect-timeout', default: 30_000, description: 'how long loading an artifact and building its graph may take (ms)' })
  @IsInt() @Min(100)
  artifactInspectTimeoutMs!: number;

  @Setting({ env: 'DISPATCHER_DATA_DIR', flag: 'data-dir', description: 'where artifacts are cached (default: a folder in the system temp dir)' })
  @IsOptional() @IsString()
  dataDir?: string;
}
