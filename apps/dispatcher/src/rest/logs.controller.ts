/**
 * Flink's log endpoints: the JobManager's and each TaskManager's log files (LOG_DIR) — listed,
 * and read as text. `/…/log` is the service's log, a TaskManager's `/stdout` the console output of
 * the user code in its slots. A name that is no file of that service is 404; a name with a
 * directory part (traversal) is 400 — nothing outside the service's own files is ever read.
 */
import { Controller, Get, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { JobDetailsViewService, LogSource } from '../jobs/job-details-view.service';
import { parseJobId, parseResourceId } from './ids';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { parseDurationMs, parseLogName, parseOptionalInt, parseVertexId } from './view-params';

/** The part of express' Response these routes use. */
interface TextResponse {
  status(code: number): TextResponse;
  setHeader(name: string, value: string): void;
  end(body: Buffer): void;
}

/** A TaskManager's profile defaults to this long. */
const PROFILE_DEFAULT_MS = 5000;

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller()
export class LogsRestController {
  constructor(private readonly views: JobDetailsViewService) {}

  @Get('jobmanager/logs')
  jobManagerLogs() {
    return this.views.listLogs({ kind: 'jobmanager' });
  }

  @Get('jobmanager/logs/:name')
  jobManagerLog(@Param('name') name: string, @Res() res: TextResponse) {
    return this.send({ kind: 'jobmanager' }, parseLogName(name), res);
  }

  /** Flink: the JobManager's main log. */
  @Get('jobmanager/log')
  async jobManagerMainLog(@Res() res: TextResponse) {
    return this.send({ kind: 'jobmanager' }, await this.mainLog({ kind: 'jobmanager' }, '.log'), res);
  }

  @Get('taskmanagers/:id/logs')
  taskManagerLogs(@Param('id') id: string) {
    return this.views.listLogs({ kind: 'taskmanager', resourceId: parseResourceId(id) });
  }

  @Get('taskmanagers/:id/logs/:name')
  taskManagerLog(@Param('id') id: string, @Param('name') name: string, @Res() res: TextResponse) {
    return this.send({ kind: 'taskmanager', resourceId: parseResourceId(id) }, parseLogName(name), res);
  }

  @Get('taskmanagers/:id/log')
  async taskManagerMainLog(@Param('id') id: string, @Res() res: TextResponse) {
    const source: LogSource = { kind: 'taskmanager', resourceId: parseResourceId(id) };
    return this.send(source, await this.mainLog(source, '.log'), res);
  }

  /** Flink: the TaskManager's stdout — what user code printed, each line prefixed with its task. */
  @Get('taskmanagers/:id/stdout')
  async taskManagerStdout(@Param('id') id: string, @Res() res: TextResponse) {
    const source: LogSource = { kind: 'taskmanager', resourceId: parseResourceId(id) };
    return this.send(source, await this.mainLog(source, '.out'), res);
  }

  /**
   * A CPU profile of the TaskManager's slot workers for `durationMs` (default 5 s), as a flame
   * graph (Flink's JobVertexFlameGraph shape); optionally only the workers of one job / vertex.
   */
  @Post('taskmanagers/:id/profile')
  @HttpCode(200)
  profile(@Param('id') id: string, @Query('durationMs') durationMs?: string, @Query('jobid') jobId?: string, @Query('vertexid') vertexId?: string, @Query('samplingIntervalUs') interval?: string) {
    return this.views.profileTaskManager(parseResourceId(id), {
      durationMs: parseDurationMs(durationMs, PROFILE_DEFAULT_MS),
      ...(jobId !== undefined ? { jobId: parseJobId(jobId) } : {}),
      ...(vertexId !== undefined ? { vertexId: parseVertexId(vertexId) } : {}),
      ...(interval !== undefined ? { samplingIntervalUs: parseOptionalInt(interval, 'samplingIntervalUs', 100, 100_000) } : {}),
    });
  }

  /** The service's own `<name>.log` (or `.out`): the one file with that suffix it lists. */
  private async mainLog(source: LogSource, suffix: '.log' | '.out'): Promise<string> {
    const { logs } = await this.views.listLogs(source);
    return logs.find((l) => l.name.endsWith(suffix))?.name ?? `none${suffix}`;
  }

  private async send(source: LogSource, name: string, res: TextResponse): Promise<void> {
    const body = await this.views.readLog(source, name);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.status(200).end(body);
  }
}
