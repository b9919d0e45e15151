/** Flink's /jobs REST API: list, details, exceptions, plan and cancel. */
import { UseInterceptors, Controller, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { ValidationError } from '@runnel/protocol';
import { JobViewService } from '../jobs/job-view.service';
import { parseJobId } from './ids';

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller('jobs')
export class JobsRestController {
  constructor(private readonly jobs: JobViewService) {}

  @Get()
  async list() {
    return { jobs: (await this.jobs.overview()).map((j) => ({ id: j.jid, status: j.state })) };
  }

  @Get('overview')
  async overview() {
    return { jobs: await this.jobs.overview() };
  }

  @Get(':jobid')
  details(@Param('jobid') jobId: string) {
    return this.jobs.details(parseJobId(jobId));
  }

  @Get(':jobid/exceptions')
  exceptions(@Param('jobid') jobId: string) {
    return this.jobs.exceptions(parseJobId(jobId));
  }

  @Get(':jobid/plan')
  async plan(@Param('jobid') jobId: string) {
    const details = await this.jobs.details(parseJobId(jobId));
    return { plan: details.plan };
  }

  @Get(':jobid/checkpoints')
  checkpoints(@Param('jobid') jobId: string) {
    return this.jobs.checkpoints(parseJobId(jobId));
  }

  @Get(':jobid/checkpoints/config')
  checkpointConfig(@Param('jobid') jobId: string) {
    return this.jobs.checkpointConfig(parseJobId(jobId));
  }

  /** Flink: PATCH /jobs/:jobid?mode=cancel → 202. */
  @Patch(':jobid')
  @HttpCode(202)
  async cancel(@Param('jobid') jobId: string, @Query('mode') mode?: string) {
    if (mode !== undefined && mode !== 'cancel') {
      throw new ValidationError(`Unknown mode ${JSON.stringify(mode)}: only mode=cancel is supported`, [{ field: 'mode', problems: ['must be "cancel"'] }]);
    }
    await this.jobs.cancel(parseJobId(jobId));
    return {};
  }
}
