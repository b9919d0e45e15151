/** @runnel/client: drive a Runnel cluster from a program, over NATS. */
export * from './runnel-client';
export * from './client.errors';
export { NatsCredentialsError, type NatsCredentials } from '@runnel/protocol';
