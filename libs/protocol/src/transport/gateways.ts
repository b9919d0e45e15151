/**
 * Typed NATS implementations of each service's gateway. The assignments check, at compile time,
 * that every gateway interface matches its protocol table exactly.
 */
import { DispatcherGateway, DispatcherProtocol } from '../dispatcher/dispatcher.protocol';
import { ResourceId } from '../ids/ids';
import { JobMasterGateway, JobMasterProtocol } from '../jobmaster/jobmaster.protocol';
import { ResourceManagerGateway, ResourceManagerProtocol } from '../resourcemanager/resourcemanager.protocol';
import { TaskExecutorGateway, TaskExecutorProtocol } from '../taskmanager/taskmanager.protocol';
import { JobMetricsGateway, JobMetricsProtocol } from '../metrics/job-metrics.protocol';
import { createGateway } from './gateway.factory';
import { NatsRpcClient } from './nats-rpc.client';

export function resourceManagerGateway(client: NatsRpcClient): ResourceManagerGateway {
  return createGateway(client, ResourceManagerProtocol);
}

export function jobMasterGateway(client: NatsRpcClient): JobMasterGateway {
  return createGateway(client, JobMasterProtocol);
}

export function dispatcherGateway(client: NatsRpcClient): DispatcherGateway {
  return createGateway(client, DispatcherProtocol);
}

export function taskExecutorGateway(client: NatsRpcClient, resourceId: ResourceId): TaskExecutorGateway {
  return createGateway(client, TaskExecutorProtocol, { resourceId });
}

export function jobMetricsGateway(client: NatsRpcClient): JobMetricsGateway {
  return createGateway(client, JobMetricsProtocol);
}
