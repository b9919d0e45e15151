/**
 * The JobManager's metric queries (Flink's MetricFetcher/MetricStore behind the REST handlers):
 * metrics by scope in Flink's REST shapes, a vertex's back pressure, and the job's watermarks.
 */
import { JobRequest } from '../jobs/dto/job.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { BackPressureReply, JobWatermarksReply, MetricsQuery, MetricsReply, VertexRequest } from './metrics.dto';

export const JobMetricsSubjects = {
  queryMetrics: 'runnel.jobmanager.queryMetrics',
  getBackPressure: 'runnel.jobmanager.getBackPressure',
  getWatermarks: 'runnel.jobmanager.getWatermarks',
} as const;

export const JobMetricsProtocol = {
  queryMetrics: rpc(JobMetricsSubjects.queryMetrics, MetricsQuery, MetricsReply),
  getBackPressure: rpc(JobMetricsSubjects.getBackPressure, VertexRequest, BackPressureReply),
  getWatermarks: rpc(JobMetricsSubjects.getWatermarks, JobRequest, JobWatermarksReply),
} as const;

export interface JobMetricsGateway {
  queryMetrics(request: MessageBody<MetricsQuery>, options?: CallOptions): Promise<Reply<MetricsReply>>;
  getBackPressure(request: MessageBody<VertexRequest>, options?: CallOptions): Promise<Reply<BackPressureReply>>;
  getWatermarks(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobWatermarksReply>>;
}
