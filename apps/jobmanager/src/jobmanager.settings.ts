/** The JobManager's settings: flags and env vars, validated at start. */
import { DatabaseSettings, HttpPortSetting } from '@runnel/service-kit';

export class JobManagerSettings extends DatabaseSettings {
  @HttpPortSetting(8082) override httpPort!: number;
}
