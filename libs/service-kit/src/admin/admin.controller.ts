/** The operations endpoints every service has: GET /health, /info and /metrics. */
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ClusterNamespace, PROTOCOL_VERSION } from '@runnel/protocol';
import { MetricsRegistry } from './metrics.registry';
import { NatsHealthIndicator } from './nats.health';
import { SERVICE_IDENTITY, ServiceIdentity } from './service-identity';
import { LeadershipState } from '../leadership/leadership.state';

@Controller()
export class AdminController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly leadership: LeadershipState,
    private readonly namespace: ClusterNamespace,
  ) {}

  /**
   * Liveness is answering at all; readiness is every connection up (503 otherwise). A service with
   * leader election also says whether this instance is the `leader` or a `standby` (both healthy).
   */
  @Get('health')
  @HealthCheck()
  async check() {
    const checks: HealthIndicatorFunction[] = [() => this.nats.check('nats')];
    const leadership = this.leadership.view();
    if (leadership.elected) {
      checks.push(() => ({ leadership: { status: 'up', role: leadership.role, ...(leadership.leader ? { leader: leadership.leader } : {}) } }));
    }
    if (this.identity.database) {
      // Terminus registers its TypeORM indicator as a transient provider: resolve, don't get.
      const typeorm = await this.moduleRef.resolve(TypeOrmHealthIndicator, undefined, { strict: false });
      checks.push(() => typeorm.pingCheck('postgres', { timeout: 1000 }));
    }
    return this.health.check(checks);
  }

  @Get('info')
  info() {
    return {
      service: this.identity.service,
      id: this.identity.id,
      clusterId: this.namespace.id,
      version: this.identity.version,
      protocolVersion: PROTOCOL_VERSION,
      startedAt: new Date(this.identity.startedAt).toISOString(),
      uptimeMs: Date.now() - this.identity.startedAt,
      pid: process.pid,
      node: process.version,
      leadership: this.leadership.view(),
    };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
