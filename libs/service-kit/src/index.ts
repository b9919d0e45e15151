/** @runnel/service-kit: what every Runnel service shares (configuration, logs, admin endpoints, NATS, bootstrap). */
import 'reflect-metadata';
export * from './config/setting.decorator';
export * from './config/load-settings';
export * from './config/service-settings';
export * from './logging/logger';
export * from './nats/nats.providers';
export * from './admin/service-identity';
export * from './admin/metrics.registry';
export * from './admin/nats.health';
export * from './admin/admin.controller';
export * from './admin/service-kit.module';
export * from './bootstrap/run-service';
export * from './http/runnel-error.filter';
export * from './database/ensure-database';
export * from './leadership/leadership.state';
export * from './leadership/nats-kv-leader-election';
export * from './database/migrations.runner';
