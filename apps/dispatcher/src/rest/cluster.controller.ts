/** The dispatcher's REST API for the cluster (Flink's paths and shapes). */
import { UseInterceptors, Controller, Get, Param } from '@nestjs/common';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { ClusterViewService } from '../cluster/cluster-view.service';
import { parseResourceId } from './ids';

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller()
export class ClusterRestController {
  constructor(private readonly cluster: ClusterViewService) {}

  @Get('overview')
  overview() {
    return this.cluster.restOverview();
  }

  @Get('taskmanagers')
  taskManagers() {
    return this.cluster.restTaskManagers();
  }

  @Get('taskmanagers/:id')
  taskManager(@Param('id') id: string) {
    return this.cluster.restTaskManager(parseResourceId(id));
  }
}
