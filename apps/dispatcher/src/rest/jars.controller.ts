/** Flink's /jars REST API: upload, list, delete, plan and run job artifacts. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, UploadedFile, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { restBodyPipe } from './rest-body.pipe';
import { StripProtocolVersionInterceptor } from './strip-protocol-version.interceptor';
import { InvalidArtifactError } from '@runnel/protocol';
import { RunJarBody } from '../jars/dto/run-jar.body';
import { JarService } from '../jars/jar.service';
import { ArtifactUploadInterceptor, UploadedArtifact } from '../jars/artifact-upload.interceptor';
import { SubmitEnabledGuard } from './rest-features.guard';
import { parseJarId } from './ids';

const bodyPipe = restBodyPipe;

@UseInterceptors(StripProtocolVersionInterceptor)
@Controller('jars')
export class JarsRestController {
  constructor(private readonly jars: JarService) {}

  @Post('upload')
  @HttpCode(200)
  @UseGuards(SubmitEnabledGuard)
  // Reads the upload while it streams in and stops at ARTIFACT_MAX_BYTES (400 ARTIFACT_TOO_LARGE).
  @UseInterceptors(ArtifactUploadInterceptor)
  async upload(@UploadedFile() file: UploadedArtifact | undefined) {
    if (!file) throw new InvalidArtifactError('No job artifact in the request: send it as multipart/form-data in the field "jarfile"');
    const stored = await this.jars.upload(file.buffer, file.originalname);
    return { filename: stored.name, id: stored.id, status: 'success' };
  }

  @Get()
  async list() {
    const files = await this.jars.list();
    return { files: files.map((f) => ({ id: f.id, name: f.name, uploaded: f.uploaded, size: f.size, entry: [{ name: 'default', description: null }] })) };
  }

  @Delete(':jarid')
  async remove(@Param('jarid') jarId: string) {
    await this.jars.delete(parseJarId(jarId));
    return {};
  }

  @Post(':jarid/plan')
  @HttpCode(200)
  @UsePipes(bodyPipe)
  plan(@Param('jarid') jarId: string, @Body() body: RunJarBody) {
    return this.jars.plan(parseJarId(jarId), { programArgs: RunJarBody.args(body), parallelism: body?.parallelism });
  }

  @Post(':jarid/run')
  @HttpCode(200)
  @UseGuards(SubmitEnabledGuard)
  @UsePipes(bodyPipe)
  async run(@Param('jarid') jarId: string, @Body() body: RunJarBody) {
    const { jobId } = await this.jars.run(parseJarId(jarId), {
      programArgs: RunJarBody.args(body),
      parallelism: body?.parallelism,
      savepointPath: body?.savepointPath,
      allowNonRestoredState: body?.allowNonRestoredState,
      target: body?.target,
    });
    return { jobid: jobId };
  }
}
