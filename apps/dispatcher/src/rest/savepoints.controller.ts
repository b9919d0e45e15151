/** Beyond Flink: every savepoint of the cluster, and a dry run of restoring one into a job. */
import { Body, Controller, Get, HttpCode, Post, UseInterceptors, UsePipes } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { JarService } from '../jars/jar.service';
import { JobViewService } from '../jobs/job-view.service';
import { parseJarId } from './ids';
import { savepointBodyPipe } from './savepoint.body';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';

export class DryRunBody {
  @IsString() @MaxLength(64) jarId!: string;
  @IsString() @MinLength(1) @MaxLength(4096) savepointPath!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(65_536, { each: true }) programArgsList?: string[];
  @IsOptional() @IsInt() @Min(1) @Max(32_768) parallelism?: number;
}

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller('savepoints')
export class SavepointsRestController {
  constructor(
    private readonly jobs: JobViewService,
    private readonly jars: JarService,
  ) {}

  @Get()
  async list() {
    return { savepoints: await this.jobs.savepoints() };
  }

  /** Which operator state of the savepoint maps onto which operator of the job, without starting it. */
  @Post('dry-run')
  @HttpCode(200)
  @UsePipes(savepointBodyPipe)
  dryRun(@Body() body: DryRunBody) {
    return this.jars.checkSavepoint(parseJarId(body.jarId), body.savepointPath, { programArgs: body.programArgsList ?? [], parallelism: body.parallelism });
  }
}
