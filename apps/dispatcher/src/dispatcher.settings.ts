/** The dispatcher's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings, Setting } from '@runnel/service-kit';
import { JobGraphLimits } from '@runnel/protocol';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class DispatcherSettings extends ServiceSettings {
  @HttpPortSetting(8081) override httpPort!: number;

  @Setting({ env: 'ARTIFACT_MAX_BYTES', flag: 'artifact-max-bytes', default: 64 * 1024 * 1024, description: 'largest job artifact accepted (bytes)' })
  @IsInt() @Min(1) @Max(1024 * 1024 * 1024)
  artifactMaxBytes!: number;

  @Setting({
    env: 'ARTIFACT_MAX_UNPACKED_BYTES',
    flag: 'artifact-max-unpacked-bytes',
    default: (read) => 4 * Number(read['artifactMaxBytes'] ?? 64 * 1024 * 1024),
    description: 'largest total size of the files in a .tgz package artifact, unpacked (bytes; default 4 × ARTIFACT_MAX_BYTES)',
  })
  @IsInt() @Min(1) @Max(16 * 1024 * 1024 * 1024)
  artifactMaxUnpackedBytes!: number;

  @Setting({ env: 'ARTIFACT_MAX_FILES', flag: 'artifact-max-files', default: 10_000, description: 'most entries a .tgz package artifact may have' })
  @IsInt() @Min(1) @Max(1_000_000)
  artifactMaxFiles!: number;

  @Setting({ env: 'REST_SUBMIT_ENABLED', flag: 'rest-submit-enabled', default: true, description: "whether REST may upload and run jobs (Flink's web.submit.enable)" })
  @IsBoolean()
  restSubmitEnabled!: boolean;

  @Setting({ env: 'REST_CANCEL_ENABLED', flag: 'rest-cancel-enabled', default: true, description: "whether REST may cancel or stop jobs (Flink's web.cancel.enable)" })
  @IsBoolean()
  restCancelEnabled!: boolean;

  @Setting({ env: 'ARTIFACT_INSPECT_TIMEOUT_MS', flag: 'artifact-inspect-timeout', default: 30_000, description: 'how long loading an artifact and building its graph may take (ms)' })
  @IsInt() @Min(100)
  artifactInspectTimeoutMs!: number;

  @Setting({ env: 'DISPATCHER_DATA_DIR', flag: 'data-dir', description: 'where artifacts are cached (default: a folder in the system temp dir)' })
  @IsOptional() @IsString()
  dataDir?: string;

  /** The JobManager's setting of the same name: the dispatcher cannot ask it, so it is configured alike. */
  @Setting({ env: 'MAX_JOB_PARALLELISM', flag: 'max-job-parallelism', default: JobGraphLimits.defaultMaxJobParallelism, description: 'largest parallelism accepted in /jars/:id/run and /plan (at most 32768; set it like the JobManager\'s)' })
  @IsInt() @Min(1) @Max(JobGraphLimits.maxParallelism)
  maxJobParallelism!: number;
}
