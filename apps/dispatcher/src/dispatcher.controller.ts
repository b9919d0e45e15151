/** The dispatcher's NATS endpoint, for programmatic clients. */
import { Controller, Inject } from '@nestjs/common';
import { DispatcherProtocol, HandleRpc, JarRequest, JobRequest, RegisterJarRequest, RunJarRequest, TaskManagerRequest } from '@runnel/protocol';
import { JarService } from './jars/jar.service';
import { JobViewService } from './jobs/job-view.service';
import { SERVICE_IDENTITY, ServiceIdentity, serviceInfo } from '@runnel/service-kit';
import { ClusterViewService } from './cluster/cluster-view.service';

@Controller()
export class DispatcherController {
  constructor(
    private readonly cluster: ClusterViewService,
    private readonly jars: JarService,
    private readonly jobs: JobViewService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @HandleRpc(DispatcherProtocol.info)
  info() {
    return serviceInfo(this.identity);
  }

  @HandleRpc(DispatcherProtocol.overview)
  overview() {
    return this.cluster.overview();
  }

  @HandleRpc(DispatcherProtocol.listTaskManagers)
  listTaskManagers() {
    return this.cluster.listTaskManagers();
  }

  @HandleRpc(DispatcherProtocol.getTaskManager)
  getTaskManager(request: TaskManagerRequest) {
    return this.cluster.getTaskManager(request.resourceId);
  }

  @HandleRpc(DispatcherProtocol.registerJar)
  async registerJar(request: RegisterJarRequest) {
    return { jar: await this.jars.register(request.jarId) };
  }

  @HandleRpc(DispatcherProtocol.listJars)
  async listJars() {
    return { files: await this.jars.list() };
  }

  @HandleRpc(DispatcherProtocol.deleteJar)
  async deleteJar(request: JarRequest) {
    await this.jars.delete(request.jarId);
    return {};
  }

  @HandleRpc(DispatcherProtocol.planJar)
  planJar(request: RunJarRequest) {
    return this.jars.plan(request.jarId, { programArgs: request.programArgs ?? [], parallelism: request.parallelism });
  }

  @HandleRpc(DispatcherProtocol.runJar)
  runJar(request: RunJarRequest) {
    return this.jars.run(request.jarId, {
      programArgs: request.programArgs ?? [],
      parallelism: request.parallelism,
      ...(request.savepointPath ? { savepointPath: request.savepointPath } : {}),
      ...(request.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      ...(request.target ? { target: request.target } : {}),
    });
  }

  @HandleRpc(DispatcherProtocol.listJobs)
  async listJobs() {
    return { jobs: await this.jobs.overview() };
  }

  @HandleRpc(DispatcherProtocol.getJob)
  getJob(request: JobRequest) {
    return this.jobs.details(request.jobId);
  }

  @HandleRpc(DispatcherProtocol.getJobExceptions)
  getJobExceptions(request: JobRequest) {
    return this.jobs.exceptions(request.jobId);
  }

  @HandleRpc(DispatcherProtocol.cancelJob)
  cancelJob(request: JobRequest) {
    return this.jobs.cancel(request.jobId);
  }

  @HandleRpc(DispatcherProtocol.getCheckpoints)
  getCheckpoints(request: JobRequest) {
    return this.jobs.checkpoints(request.jobId);
  }
}
