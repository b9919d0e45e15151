/** The JobManager's NATS endpoint for metric queries (JobMetricsProtocol). */
import { Controller } from '@nestjs/common';
import { HandleRpc, JobMetricsProtocol, JobRequest, MetricsQuery, VertexRequest } from '@runnel/protocol';
import { JobMetricsService } from './job-metrics.service';

@Controller()
export class JobMetricsController {
  constructor(private readonly metrics: JobMetricsService) {}

  @HandleRpc(JobMetricsProtocol.queryMetrics)
  queryMetrics(request: MetricsQuery) {
    return this.metrics.query(request);
  }

  @HandleRpc(JobMetricsProtocol.getBackPressure)
  getBackPressure(request: VertexRequest) {
    return this.metrics.backPressure(request.jobId, request.vertexId);
  }

  @HandleRpc(JobMetricsProtocol.getWatermarks)
  getWatermarks(request: JobRequest) {
    return this.metrics.watermarks(request.jobId);
  }
}
