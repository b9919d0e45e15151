/**
 * The Dispatcher's NATS contract for programmatic clients: the cluster views and jobs, the same as
 * its REST API. A NATS client uploads an artifact by putting it in the artifact bucket under its
 * sha256 and calling registerJar.
 */
import { Acknowledge, EmptyRequest, ServiceInfo } from '../common/protocol-message.dto';
import { JobDetailsReply, JobExceptionsReply, JobRequest, JobsOverviewReply, SubmitJobReply } from '../jobs/dto/job.dto';
import { ClusterOverviewReply, TaskManagerDetailsReply, TaskManagersReply } from '../resourcemanager/dto/cluster-view.dto';
import { TaskManagerRequest } from '../resourcemanager/dto/registration.dto';
import { CheckpointsReply } from '../jobs/dto/checkpoint.dto';
import { CallOptions, MessageBody, Reply, rpc } from '../rpc/rpc-method';
import { JarInfoReply, JarPlanReply, JarRequest, JarsReply, RegisterJarRequest, RunJarRequest } from './dto/jar.dto';

export const DispatcherSubjects = {
  info: 'runnel.dispatcher.info',
  overview: 'runnel.dispatcher.overview',
  listTaskManagers: 'runnel.dispatcher.listTaskManagers',
  getTaskManager: 'runnel.dispatcher.getTaskManager',
  registerJar: 'runnel.dispatcher.registerJar',
  listJars: 'runnel.dispatcher.listJars',
  deleteJar: 'runnel.dispatcher.deleteJar',
  planJar: 'runnel.dispatcher.planJar',
  runJar: 'runnel.dispatcher.runJar',
  listJobs: 'runnel.dispatcher.listJobs',
  getJob: 'runnel.dispatcher.getJob',
  getJobExceptions: 'runnel.dispatcher.getJobExceptions',
  cancelJob: 'runnel.dispatcher.cancelJob',
  getCheckpoints: 'runnel.dispatcher.getCheckpoints',
} as const;

export const DispatcherProtocol = {
  info: rpc(DispatcherSubjects.info, EmptyRequest, ServiceInfo),
  overview: rpc(DispatcherSubjects.overview, EmptyRequest, ClusterOverviewReply),
  listTaskManagers: rpc(DispatcherSubjects.listTaskManagers, EmptyRequest, TaskManagersReply),
  getTaskManager: rpc(DispatcherSubjects.getTaskManager, TaskManagerRequest, TaskManagerDetailsReply),
  registerJar: rpc(DispatcherSubjects.registerJar, RegisterJarRequest, JarInfoReply),
  listJars: rpc(DispatcherSubjects.listJars, EmptyRequest, JarsReply),
  deleteJar: rpc(DispatcherSubjects.deleteJar, JarRequest, Acknowledge),
  planJar: rpc(DispatcherSubjects.planJar, RunJarRequest, JarPlanReply),
  runJar: rpc(DispatcherSubjects.runJar, RunJarRequest, SubmitJobReply),
  listJobs: rpc(DispatcherSubjects.listJobs, EmptyRequest, JobsOverviewReply),
  getJob: rpc(DispatcherSubjects.getJob, JobRequest, JobDetailsReply),
  getJobExceptions: rpc(DispatcherSubjects.getJobExceptions, JobRequest, JobExceptionsReply),
  cancelJob: rpc(DispatcherSubjects.cancelJob, JobRequest, Acknowledge),
  getCheckpoints: rpc(DispatcherSubjects.getCheckpoints, JobRequest, CheckpointsReply),
} as const;

export interface DispatcherGateway {
  info(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ServiceInfo>>;
  overview(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<ClusterOverviewReply>>;
  listTaskManagers(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<TaskManagersReply>>;
  getTaskManager(request: MessageBody<TaskManagerRequest>, options?: CallOptions): Promise<Reply<TaskManagerDetailsReply>>;
  /** Validates an artifact already in the artifact bucket (loads it, builds its graph) and lists it. */
  registerJar(request: MessageBody<RegisterJarRequest>, options?: CallOptions): Promise<Reply<JarInfoReply>>;
  listJars(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<JarsReply>>;
  deleteJar(request: MessageBody<JarRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  planJar(request: MessageBody<RunJarRequest>, options?: CallOptions): Promise<Reply<JarPlanReply>>;
  runJar(request: MessageBody<RunJarRequest>, options?: CallOptions): Promise<Reply<SubmitJobReply>>;
  listJobs(request: MessageBody<EmptyRequest>, options?: CallOptions): Promise<Reply<JobsOverviewReply>>;
  getJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobDetailsReply>>;
  getJobExceptions(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<JobExceptionsReply>>;
  cancelJob(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<Acknowledge>>;
  getCheckpoints(request: MessageBody<JobRequest>, options?: CallOptions): Promise<Reply<CheckpointsReply>>;
}
