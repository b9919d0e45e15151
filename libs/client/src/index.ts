/** @runnel/client: drive a Runnel cluster from a program, over NATS. */
export * from './runnel-client';
export * from './client.errors';
export { NatsCredentialsError, type NatsCredentials } from '@runnel/protocol';
// A job id from elsewhere (REST, a log) is parsed once before the client takes it: JobIds.parse(text).
export { JobIds, type JobId } from '@runnel/protocol';
