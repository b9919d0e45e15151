/**
 * Flink's metric REST API: /jobs/metrics, /jobs/:jobid/metrics, /jobs/:jobid/vertices/:vertexid/
 * metrics, …/subtasks/metrics (aggregated), …/subtasks/:subtaskindex/metrics, /taskmanagers/:id/
 * metrics and /jobmanager/metrics; a vertex's /backpressure and /watermarks; and, beyond Flink,
 * /jobs/:jobid/watermarks (what holds each event-time operator's watermark back). Registered before
 * the other /jobs controllers so `jobs/metrics` is not taken for a job id.
 */
import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { MetricScopes } from '@runnel/protocol';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { JobMetricsViewService } from '../jobs/job-metrics-view.service';
import { parseJobId, parseResourceId } from './ids';
import { parseAgg, parseGet, parseJobs, parseSubtaskIndex, parseSubtasks, parseVertexId } from './metrics-query.params';

type Params = Record<string, unknown>;

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller()
export class MetricsRestController {
  constructor(private readonly metrics: JobMetricsViewService) {}

  @Get('jobs/metrics')
  jobsMetrics(@Query() q: Params) {
    return this.metrics.query({ scope: MetricScopes.Jobs, get: parseGet(q.get), agg: parseAgg(q.agg), jobs: parseJobs(q.jobs) });
  }

  @Get('jobs/:jobid/metrics')
  jobMetrics(@Param('jobid') jobId: string, @Query() q: Params) {
    return this.metrics.query({ scope: MetricScopes.Job, jobId: parseJobId(jobId), get: parseGet(q.get) });
  }

  @Get('jobs/:jobid/watermarks')
  jobWatermarks(@Param('jobid') jobId: string) {
    return this.metrics.watermarks(parseJobId(jobId));
  }

  @Get('jobs/:jobid/vertices/:vertexid/metrics')
  vertexMetrics(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string, @Query() q: Params) {
    return this.metrics.query({ scope: MetricScopes.Vertex, jobId: parseJobId(jobId), vertexId: parseVertexId(vertexId), get: parseGet(q.get) });
  }

  @Get('jobs/:jobid/vertices/:vertexid/subtasks/metrics')
  subtasksMetrics(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string, @Query() q: Params) {
    return this.metrics.query({
      scope: MetricScopes.Subtasks, jobId: parseJobId(jobId), vertexId: parseVertexId(vertexId), get: parseGet(q.get), agg: parseAgg(q.agg), subtasks: parseSubtasks(q.subtasks),
    });
  }

  @Get('jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics')
  subtaskMetrics(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string, @Param('subtaskindex') index: string, @Query() q: Params) {
    return this.metrics.query({
      scope: MetricScopes.Subtask, jobId: parseJobId(jobId), vertexId: parseVertexId(vertexId), subtaskIndex: parseSubtaskIndex(index), get: parseGet(q.get),
    });
  }

  @Get('jobs/:jobid/vertices/:vertexid/backpressure')
  backPressure(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    return this.metrics.backPressure(parseJobId(jobId), parseVertexId(vertexId));
  }

  @Get('jobs/:jobid/vertices/:vertexid/watermarks')
  vertexWatermarks(@Param('jobid') jobId: string, @Param('vertexid') vertexId: string) {
    return this.metrics.query({ scope: MetricScopes.VertexWatermarks, jobId: parseJobId(jobId), vertexId: parseVertexId(vertexId) });
  }

  @Get('taskmanagers/:id/metrics')
  taskManagerMetrics(@Param('id') id: string, @Query() q: Params) {
    return this.metrics.taskManager(parseResourceId(id), parseGet(q.get));
  }

  @Get('jobmanager/metrics')
  jobManagerMetrics(@Query() q: Params) {
    return this.metrics.jobManagerMetrics(parseGet(q.get));
  }
}
