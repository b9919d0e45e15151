/** Flink's /jobs REST API: list, details, exceptions, plan and cancel. */
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { CancelEnabledGuard } from './rest-features.guard';
import { SavepointBody, savepointBodyPipe } from './savepoint.body';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { ValidationError } from '@runnel/protocol';
import { JobViewService } from '../jobs/job-view.service';
import { parseJobId, parseTriggerId } from './ids';
import { parseOptionalInt } from './view-params';

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

  /** Flink's JobExceptionsInfoWithHistory (`exceptionHistory.entries`, at most `maxExceptions`), with the legacy fields beside it. */
  @Get(':jobid/exceptions')
  exceptions(@Param('jobid') jobId: string, @Query('maxExceptions') maxExceptions?: string) {
    return this.jobs.exceptions(parseJobId(jobId), parseOptionalInt(maxExceptions, 'maxExceptions', 1, 10_000));
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

  /** Flink: POST /jobs/:jobid/savepoints {"target-directory", "cancel-job"} → {"request-id"}. */
  @Post(':jobid/savepoints')
  @HttpCode(202)
  @UseGuards(CancelEnabledGuard) // only when it cancels the job (`cancel-job`)
  @UsePipes(savepointBodyPipe)
  savepoint(@Param('jobid') jobId: string, @Body() body: SavepointBody) {
    return this.jobs.triggerSavepoint(parseJobId(jobId), SavepointBody.options(body, false));
  }

  @Get(':jobid/savepoints/:triggerid')
  savepointStatus(@Param('jobid') jobId: string, @Param('triggerid') triggerId: string) {
    return this.jobs.savepointStatus(parseJobId(jobId), parseTriggerId(triggerId));
  }

  /** Flink: POST /jobs/:jobid/stop {"drain", "targetDirectory"}: stop with a savepoint. */
  @Post(':jobid/stop')
  @HttpCode(202)
  @UseGuards(CancelEnabledGuard)
  @UsePipes(savepointBodyPipe)
  stop(@Param('jobid') jobId: string, @Body() body: SavepointBody) {
    return this.jobs.triggerSavepoint(parseJobId(jobId), SavepointBody.options(body, true));
  }

  /** Flink: PATCH /jobs/:jobid?mode=cancel → 202. */
  @Patch(':jobid')
  @HttpCode(202)
  @UseGuards(CancelEnabledGuard)
  async cancel(@Param('jobid') jobId: string, @Query('mode') mode?: string) {
    if (mode !== undefined && mode !== 'cancel') {
      throw new ValidationError(`Unknown mode ${JSON.stringify(mode)}: only mode=cancel is supported`, [{ field: 'mode', problems: ['must be "cancel"'] }]);
    }
    await this.jobs.cancel(parseJobId(jobId));
    return {};
  }
}
