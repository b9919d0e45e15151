import { ClusterNamespace } from '@runnel/protocol';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsServerConfig, prepareSecureCluster, SecureClusterError } from './secure-cluster.setup';
import { useRestToken } from './rest.client';

describe('prepareSecureCluster', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'secure-setup-spec-'))));
  afterEach(() => {
    useRestToken(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the secrets once (0700/0600) and reuses them', () => {
    const first = prepareSecureCluster(dir);
    expect(statSync(first.secretsDir).mode & 0o777).toBe(0o700);
    for (const f of ['nats-services.password', 'nats-taskmanagers.password', 'nats-clients.password', 'postgres.password', 'rest-token', 'nats-server.conf']) {
      expect(statSync(join(first.secretsDir, f)).mode & 0o777).toBe(0o600);
    }
    const second = prepareSecureCluster(dir);
    expect(second.credentials).toEqual(first.credentials);
    expect(second.infra.postgresPassword).toBe(first.infra.postgresPassword);
    expect(new Set(Object.values(first.credentials).map((c) => c.password)).size).toBe(3);
  });

  it('gives each role its own NATS user and every service the REST token file', () => {
    const secure = prepareSecureCluster(dir);
    const tm = secure.envFor('taskmanager', { NATS_URL: 'nats://x:1', NATS_TOKEN: 'inherited' });
    expect(tm).toMatchObject({ NATS_URL: 'nats://x:1', NATS_USER: 'taskmanagers', NATS_PASSWORD: secure.credentials.taskmanagers.password, REST_AUTH_TOKEN_FILE: secure.restTokenFile });
    expect(tm['NATS_TOKEN']).toBeUndefined();
    const rm = secure.envFor('resourcemanager', {});
    expect(rm).toMatchObject({ NATS_USER: 'services', TM_NATS_USER: 'taskmanagers', TM_NATS_PASSWORD: secure.credentials.taskmanagers.password });
    expect(secure.envFor('dispatcher', {})).toMatchObject({ NATS_USER: 'services' });
    expect(secure.envFor('dispatcher', {})['TM_NATS_USER']).toBeUndefined();
  });

  it('refuses a secret file it did not write', () => {
    prepareSecureCluster(dir);
    writeFileSync(join(dir, 'secrets', 'rest-token'), 'guessable\n');
    expect(() => prepareSecureCluster(dir)).toThrow(SecureClusterError);
  });

  it('restricts clients to the dispatcher, the artifact bucket and their inbox, in the cluster namespace', () => {
    const secure = prepareSecureCluster(dir);
    const config = natsServerConfig(secure.credentials, ClusterNamespace.of('team-a'));
    const clients = config.split('\n').find((line) => line.includes('"clients"'))!;
    expect(clients).toContain('"runnel.team-a.dispatcher.>"');
    expect(clients).toContain('"$O.runnel-artifacts-team-a.>"');
    expect(clients).toContain('subscribe: { allow: ["_INBOX.>"] }');
    expect(clients).not.toContain('jobmanager');
    expect(readFileSync(secure.natsConfigFile, 'utf8')).toContain('"runnel.dispatcher.>"');
  });

  it('gives taskmanagers only a TaskManager\'s subjects: no KV, no stream deletion, no other service\'s requests', () => {
    const secure = prepareSecureCluster(dir);
    const config = natsServerConfig(secure.credentials, ClusterNamespace.of('team-a'));
    const tm = config.split('\n').find((line) => line.includes('"taskmanagers"'))!;
    for (const subject of ['runnel.team-a.resourcemanager.heartbeatFromTaskManager', 'runnel.team-a.jobmanager.updateTaskExecutionState', 'runnel.team-a.data.>', 'runnel.team-a.credit.>', '$O.*.C.>', '$O.*.M.>', '$JS.API.CONSUMER.MSG.NEXT.*.*']) {
      expect({ subject, allowed: tm.includes(`"${subject}"`) }).toEqual({ subject, allowed: true });
    }
    // Any job's checkpoint bucket, but not the artifacts, the legacy shared bucket or the leaders.
    const deny = tm.slice(tm.indexOf('deny: ['), tm.indexOf(']', tm.indexOf('deny: [')));
    for (const subject of ['$O.runnel-artifacts-team-a.>', '$O.runnel-checkpoints-team-a.>', '$JS.API.DIRECT.GET.KV_runnel-leaders-team-a']) {
      expect({ subject, denied: deny.includes(`"${subject}"`) }).toEqual({ subject, denied: true });
    }
    expect(tm).not.toContain('STREAM.CREATE');
    // A purge on a token wildcard would reach every stream: KV buckets, other jobs' data.
    expect(tm).not.toContain('STREAM.PURGE');
    expect(tm).toContain('subscribe: { allow: ["runnel.team-a.taskmanager.>", "runnel.team-a.credit.>", "_INBOX.>"] }');
    expect(tm).not.toContain('$KV');
    expect(tm).not.toContain('STREAM.DELETE');
    expect(tm).not.toContain('"runnel.team-a.jobmanager.cancelJob"');
    expect(tm).not.toContain('dispatcher');
    expect(tm).not.toContain('publish: ">"');
  });
});
