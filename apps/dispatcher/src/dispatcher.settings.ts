/** The dispatcher's settings: flags and env vars, validated at start. */
import { HttpPortSetting, ServiceSettings } from '@runnel/service-kit';

export class DispatcherSettings extends ServiceSettings {
  @HttpPortSetting(8081) override httpPort!: number;
}
