/**
 * `@runnel/protocol/rpc-client`: a gateway client over NATS for tools that call a service
 * (the local cluster telling the ResourceManager about a TaskManager it saw exit), without the
 * package's barrel, which loads NestJS: the CLI is bundled from its sources, and the barrel's
 * NestJS pulled optional transports (gRPC, Kafka, MQTT …) into that bundle. The DTOs' decorators
 * need reflect-metadata, as under the barrel.
 */
import 'reflect-metadata';
export { ClusterNamespace } from './cluster/cluster-namespace';
export { NatsRpcClient } from './transport/nats-rpc.client';
export { resourceManagerGateway } from './transport/gateways';
