/** One Prometheus registry per service, with Node's default metrics; services add their own. */
import { Registry, collectDefaultMetrics } from 'prom-client';

export class MetricsRegistry extends Registry {
  constructor(service: string) {
    super();
    this.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this, prefix: 'runnel_' });
  }
}
