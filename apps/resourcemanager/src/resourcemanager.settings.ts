/** The ResourceManager's settings: flags and env vars, validated at start. */
import { DatabaseSettings, HttpPortSetting, Setting } from '@runnel/service-kit';
import { IsInt, Max, Min } from 'class-validator';

export class ResourceManagerSettings extends DatabaseSettings {
  @HttpPortSetting(8083) override httpPort!: number;

  @Setting({ env: 'HEARTBEAT_INTERVAL_MS', flag: 'heartbeat-interval', default: 1000, description: 'how often TaskManagers send heartbeats (ms)' })
  @IsInt() @Min(50) @Max(600_000)
  heartbeatIntervalMs!: number;

  @Setting({ env: 'HEARTBEAT_TIMEOUT_MS', flag: 'heartbeat-timeout', default: 6000, description: 'a TaskManager silent this long (ms) is lost and its slots freed' })
  @IsInt() @Min(100) @Max(3_600_000)
  heartbeatTimeoutMs!: number;
}
