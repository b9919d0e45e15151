/** Flink's /jobs/:jobid/status, /execution-result, /config and the checkpoint details and triggers. */
import { Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { JobDetailsViewService } from '../jobs/job-details-view.service';
import { JobViewService } from '../jobs/job-view.service';
import { parseJobId, parseTriggerId } from './ids';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { parseCheckpointId, parseVertexId } from './view-params';

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller('jobs/:jobid')
export class JobStatusRestController {
  constructor(
    private readonly views: JobDetailsViewService,
    private readonly jobs: JobViewService,
  ) {}

  /** Flink: {"status": "RUNNING"} — also for jobs only the job store still knows. */
  @Get('status')
  async status(@Param('jobid') jobId: string) {
    const details = (await this.jobs.details(parseJobId(jobId))) as { state: string };
    return { status: details.state };
  }

  @Get('execution-result')
  executionResult(@Param('jobid') jobId: string) {
    return this.views.executionResult(parseJobId(jobId));
  }

  @Get('config')
  config(@Param('jobid') jobId: string) {
    return this.views.config(parseJobId(jobId));
  }

  /** Flink 1.19: POST /jobs/:jobid/checkpoints → {"request-id"}; a checkpoint now. */
  @Post('checkpoints')
  @HttpCode(202)
  triggerCheckpoint(@Param('jobid') jobId: string) {
    return this.views.triggerCheckpoint(parseJobId(jobId));
  }

  @Get('checkpoints/details/:checkpointid')
  checkpointDetails(@Param('jobid') jobId: string, @Param('checkpointid') checkpointId: string) {
    return this.views.checkpointDetails(parseJobId(jobId), parseCheckpointId(checkpointId));
  }

  @Get('checkpoints/details/:checkpointid/subtasks/:vertexid')
  checkpointSubtasks(@Param('jobid') jobId: string, @Param('checkpointid') checkpointId: string, @Param('vertexid') vertexId: string) {
    return this.views.checkpointSubtasks(parseJobId(jobId), parseCheckpointId(checkpointId), parseVertexId(vertexId));
  }

  /** The status of a triggered checkpoint: {status: {id}, operation: {checkpointId} | {failure-cause}}. */
  @Get('checkpoints/:triggerid')
  checkpointTriggerStatus(@Param('jobid') jobId: string, @Param('triggerid') triggerId: string) {
    return this.views.checkpointTriggerStatus(parseJobId(jobId), parseTriggerId(triggerId));
  }
}
