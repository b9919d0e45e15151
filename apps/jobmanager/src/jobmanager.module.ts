import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { JobManagerController } from './jobmanager.controller';
import { JobManagerSettings } from './jobmanager.settings';

@Module({})
export class JobManagerModule {
  static forRoot(settings: JobManagerSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: JobManagerModule,
      imports: [
        ServiceKitModule.forRoot(identity),
        // Checkpoint metadata will live here, in the JobManager's own tables and migrations.
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: settings.databaseUrl,
          entities: [],
          migrations: [],
          migrationsRun: true,
          migrationsTableName: 'runnel_jobmanager_migrations',
          synchronize: false,
          retryAttempts: 20,
          retryDelay: 500,
        }),
      ],
      controllers: [JobManagerController],
      providers: [{ provide: JobManagerSettings, useValue: settings }],
    };
  }
}
