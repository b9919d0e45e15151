import { InvalidJetStreamReplicasError, jetStreamReplicasFromEnv } from './jetstream-replicas';
import { natsServers } from './nats-connect-options';

describe('JETSTREAM_REPLICAS', () => {
  it('is 1 when unset or empty, the number when given', () => {
    expect(jetStreamReplicasFromEnv({})).toBe(1);
    expect(jetStreamReplicasFromEnv({ JETSTREAM_REPLICAS: '' })).toBe(1);
    expect(jetStreamReplicasFromEnv({ JETSTREAM_REPLICAS: '3' })).toBe(3);
    expect(jetStreamReplicasFromEnv({ JETSTREAM_REPLICAS: ' 5 ' })).toBe(5);
  });

  it.each(['0', '6', '2.5', 'three', '-1'])('refuses %p, saying what it must be', (raw) => {
    expect(() => jetStreamReplicasFromEnv({ JETSTREAM_REPLICAS: raw })).toThrow(InvalidJetStreamReplicasError);
    expect(() => jetStreamReplicasFromEnv({ JETSTREAM_REPLICAS: raw })).toThrow(`JETSTREAM_REPLICAS must be a whole number from 1 to 5, not "${raw}"`);
  });
});

describe('natsServers', () => {
  it('splits a comma-separated NATS_URL into the list nats.js wants', () => {
    expect(natsServers('nats://a:4222')).toEqual(['nats://a:4222']);
    expect(natsServers('nats://a:4222,nats://b:4223, nats://c:4224 ,')).toEqual(['nats://a:4222', 'nats://b:4223', 'nats://c:4224']);
    expect(natsServers(['nats://a:4222', ' nats://b:4223'])).toEqual(['nats://a:4222', 'nats://b:4223']);
  });
});
