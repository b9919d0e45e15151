/**
 * Builds a gateway (the typed interface of a remote service) from its protocol: each method is a
 * NATS request on the method's subject. Services depend on gateways; only this file and the
 * controllers' transport know that NATS is underneath.
 */
import { GatewayOf, Protocol } from '../rpc/rpc-method';
import { NatsRpcClient } from './nats-rpc.client';

export function createGateway<P extends Protocol>(
  client: NatsRpcClient,
  protocol: P,
  subjectParams?: Readonly<Record<string, string>>,
): GatewayOf<P> {
  const gateway: Record<string, unknown> = {};
  for (const name of Object.keys(protocol)) {
    const method = protocol[name];
    gateway[name] = (request: object, options?: { timeoutMs?: number }) =>
      client.call(method, request, options, subjectParams);
  }
  return gateway as GatewayOf<P>;
}
