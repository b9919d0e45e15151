import { DynamicModule, Module } from '@nestjs/common';
import { NatsRpcClient, resourceManagerGateway } from '@runnel/protocol';
import { ServiceIdentity, ServiceKitModule } from '@runnel/service-kit';
import { ClusterViewService, RESOURCE_MANAGER_GATEWAY } from './cluster/cluster-view.service';
import { DispatcherController } from './dispatcher.controller';
import { DispatcherSettings } from './dispatcher.settings';
import { ClusterRestController } from './rest/cluster.controller';

@Module({})
export class DispatcherModule {
  static forRoot(settings: DispatcherSettings, identity: ServiceIdentity): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [ServiceKitModule.forRoot(identity)],
      controllers: [ClusterRestController, DispatcherController],
      providers: [
        { provide: DispatcherSettings, useValue: settings },
        { provide: RESOURCE_MANAGER_GATEWAY, inject: [NatsRpcClient], useFactory: resourceManagerGateway },
        ClusterViewService,
      ],
    };
  }
}
