import { DynamicModule, Module } from '@nestjs/common';
import { NatsRpcClient, ResourceId, resourceManagerGateway } from '@runnel/protocol';
import { ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { RESOURCE_MANAGER_GATEWAY, ResourceManagerConnection, TASK_MANAGER_ID } from './registration/resource-manager-connection.service';
import { TaskSlotTable } from './slots/task-slot-table';
import { TaskManagerController } from './taskmanager.controller';
import { TaskManagerSettings } from './taskmanager.settings';

@Module({})
export class TaskManagerModule {
  static forRoot(settings: TaskManagerSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: TaskManagerModule,
      imports: [ServiceKitModule.forRoot(identity)],
      controllers: [TaskManagerController],
      providers: [
        { provide: TaskManagerSettings, useValue: settings },
        { provide: TASK_MANAGER_ID, useValue: identity.id as ResourceId },
        { provide: TaskSlotTable, useValue: new TaskSlotTable(settings.slots) },
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        { provide: 'CONNECTION_OPTIONS', useValue: { version: identity.version, minBackoffMs: 100, maxBackoffMs: 2000 } },
        ResourceManagerConnection,
      ],
    };
  }
}
