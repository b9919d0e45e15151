/**
 * Hand-written fakes of gateways for unit tests, after Flink's TestingResourceManagerGateway: one
 * overridable handler per method, and a record of the calls. A method without a handler fails the
 * test loudly instead of answering something made up.
 */
import { DispatcherGateway, DispatcherProtocol } from '../dispatcher/dispatcher.protocol';
import { JobMasterGateway, JobMasterProtocol } from '../jobmaster/jobmaster.protocol';
import { ResourceManagerGateway, ResourceManagerProtocol } from '../resourcemanager/resourcemanager.protocol';
import { GatewayOf, Protocol } from '../rpc/rpc-method';
import { TaskExecutorGateway, TaskExecutorProtocol } from '../taskmanager/taskmanager.protocol';

export type Handlers<G> = { [K in keyof G]?: G[K] };

export type TestingGateway<G> = G & {
  /** Replace or set the handler of a method. */
  readonly handlers: Handlers<G>;
  /** The requests each method received, in order. */
  readonly calls: { [K in keyof G]: unknown[] };
};

export function createTestingGateway<P extends Protocol, G = GatewayOf<P>>(
  protocol: P,
  handlers: Handlers<G> = {},
): TestingGateway<G> {
  const calls = {} as Record<string, unknown[]>;
  const gateway: Record<string, unknown> = { handlers, calls };
  for (const name of Object.keys(protocol)) {
    calls[name] = [];
    gateway[name] = async (request: unknown, options: unknown) => {
      calls[name].push(request);
      const handler = (handlers as Record<string, ((r: unknown, o: unknown) => unknown) | undefined>)[name];
      if (!handler) throw new Error(`Testing gateway: no handler for ${name} (subject ${protocol[name].subject})`);
      return handler(request, options);
    };
  }
  return gateway as TestingGateway<G>;
}

export const testingResourceManagerGateway = (h?: Handlers<ResourceManagerGateway>) =>
  createTestingGateway<typeof ResourceManagerProtocol, ResourceManagerGateway>(ResourceManagerProtocol, h);
export const testingJobMasterGateway = (h?: Handlers<JobMasterGateway>) =>
  createTestingGateway<typeof JobMasterProtocol, JobMasterGateway>(JobMasterProtocol, h);
export const testingDispatcherGateway = (h?: Handlers<DispatcherGateway>) =>
  createTestingGateway<typeof DispatcherProtocol, DispatcherGateway>(DispatcherProtocol, h);
export const testingTaskExecutorGateway = (h?: Handlers<TaskExecutorGateway>) =>
  createTestingGateway<typeof TaskExecutorProtocol, TaskExecutorGateway>(TaskExecutorProtocol, h);
