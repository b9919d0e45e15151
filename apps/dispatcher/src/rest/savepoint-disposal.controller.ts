/** Flink's savepoint disposal: POST /savepoint-disposal {"savepoint-path"} → {"request-id"}, then GET /savepoint-disposal/:triggerid. */
import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors, UsePipes } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { JobDetailsViewService } from '../jobs/job-details-view.service';
import { parseTriggerId } from './ids';
import { savepointBodyPipe } from './savepoint.body';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';

export class SavepointDisposalBody {
  @IsString() @MinLength(1) @MaxLength(4096) 'savepoint-path'!: string;
}

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller('savepoint-disposal')
export class SavepointDisposalRestController {
  constructor(private readonly views: JobDetailsViewService) {}

  @Post()
  @HttpCode(202)
  @UsePipes(savepointBodyPipe)
  dispose(@Body() body: SavepointDisposalBody) {
    return this.views.disposeSavepoint(body['savepoint-path']);
  }

  @Get(':triggerid')
  status(@Param('triggerid') triggerId: string) {
    return this.views.disposalStatus(parseTriggerId(triggerId));
  }
}
