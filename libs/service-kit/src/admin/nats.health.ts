/** Readiness of the NATS connection: open, and answering a round trip within a short deadline. */
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION } from '../nats/nats.providers';

@Injectable()
export class NatsHealthIndicator {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'nats') {
    const indicator = this.health.check(key);
    if (this.connection.isClosed()) return indicator.down({ message: 'connection closed' });
    try {
      const rtt = await Promise.race([
        this.connection.rtt(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1000 ms')), 1000).unref()),
      ]);
      return indicator.up({ server: this.connection.getServer(), rttMs: rtt });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
