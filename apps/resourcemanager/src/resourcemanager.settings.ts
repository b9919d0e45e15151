/** The ResourceManager's settings: flags and env vars, validated at start. */
import { DatabaseSettings, HttpPortSetting, Setting } from '@runnel/service-kit';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ResourceManagerSettings extends DatabaseSettings {
  @HttpPortSetting(8083) override httpPort!: number;

  @Setting({ env: 'HEARTBEAT_INTERVAL_MS', flag: 'heartbeat-interval', default: 1000, description: 'how often TaskManagers send heartbeats (ms)' })
  @IsInt() @Min(50) @Max(600_000)
  heartbeatIntervalMs!: number;

  @Setting({ env: 'HEARTBEAT_TIMEOUT_MS', flag: 'heartbeat-timeout', default: 6000, description: 'a TaskManager silent this long (ms) is lost and its slots freed' })
  @IsInt() @Min(100) @Max(3_600_000)
  heartbeatTimeoutMs!: number;

  @Setting({ env: 'RESOURCE_PROVIDER', flag: 'resource-provider', default: 'standalone', description: 'who starts TaskManagers: standalone (someone else), process (this ResourceManager, on its host), kubernetes (designed, not built: docs/deployment/kubernetes.md)' })
  @IsIn(['standalone', 'process', 'kubernetes'])
  resourceProvider!: 'standalone' | 'process' | 'kubernetes';

  @Setting({ env: 'MIN_TASKMANAGERS', flag: 'min-taskmanagers', default: 0, description: 'provider-started TaskManagers kept running even when idle' })
  @IsInt() @Min(0) @Max(1024)
  minTaskManagers!: number;

  @Setting({ env: 'MAX_TASKMANAGERS', flag: 'max-taskmanagers', default: 8, description: 'at most this many provider-started TaskManagers' })
  @IsInt() @Min(1) @Max(1024)
  maxTaskManagers!: number;

  @Setting({ env: 'TM_SLOTS', flag: 'tm-slots', default: 2, description: 'slots of each provider-started TaskManager' })
  @IsInt() @Min(1) @Max(1024)
  tmSlots!: number;

  @Setting({ env: 'TM_IDLE_TIMEOUT_MS', flag: 'tm-idle-timeout', default: 30_000, description: 'a provider-started TaskManager with no allocated slot for this long (ms) is stopped (down to MIN_TASKMANAGERS)' })
  @IsInt() @Min(100) @Max(86_400_000)
  tmIdleTimeoutMs!: number;

  @Setting({ env: 'TM_MAX_FAILURES', flag: 'tm-max-failures', default: 5, description: 'provider-started TaskManagers that may fail within TM_FAILURE_WINDOW_MS before no more are started' })
  @IsInt() @Min(1) @Max(10_000)
  tmMaxFailures!: number;

  @Setting({ env: 'TM_FAILURE_WINDOW_MS', flag: 'tm-failure-window', default: 60_000, description: 'the window of TM_MAX_FAILURES (ms)' })
  @IsInt() @Min(100) @Max(86_400_000)
  tmFailureWindowMs!: number;

  @Setting({ env: 'TM_START_TIMEOUT_MS', flag: 'tm-start-timeout', default: 60_000, description: 'a provider-started TaskManager that has not registered after this long (ms) counts as failed and is stopped' })
  @IsInt() @Min(100) @Max(3_600_000)
  tmStartTimeoutMs!: number;

  @Setting({ env: 'TM_NATS_ACCOUNT_SEED_FILE', flag: 'tm-nats-account-seed-file', description: 'NATS operator (JWT) mode: a file holding the seed (SA…) of the cluster account or of a signing key of it; each TaskManager the process provider starts for one job then gets a NATS user of its own that may touch only that job (README, Security)' })
  @IsOptional() @IsString()
  tmNatsAccountSeedFile?: string;

  @Setting({ env: 'TM_NATS_ACCOUNT', flag: 'tm-nats-account', description: 'the account public key (A…) when TM_NATS_ACCOUNT_SEED_FILE holds a signing key rather than the account key' })
  @IsOptional() @IsString()
  tmNatsAccount?: string;

  @Setting({ env: 'TM_NATS_MAX_CONTROL_LINE', flag: 'tm-nats-max-control-line', default: 4096, description: 'the NATS server\'s max_control_line (bytes): a minted per-job user\'s JWT must fit in a CONNECT line' })
  @IsInt() @Min(1024) @Max(16 * 1024 * 1024)
  tmNatsMaxControlLine!: number;

  @Setting({ env: 'TM_CREDENTIALS_DIR', flag: 'tm-credentials-dir', description: 'where the per-job TaskManagers\' .creds files are kept while they run (directory 0700; default: <system temp>/runnel-tm-credentials-<uid>)' })
  @IsOptional() @IsString()
  tmCredentialsDir?: string;

  @Setting({ env: 'TM_LOG_DIR', flag: 'tm-log-dir', description: 'where provider-started TaskManagers write their output (default: <system temp>/runnel-taskmanagers)' })
  @IsOptional() @IsString()
  tmLogDir?: string;
}
