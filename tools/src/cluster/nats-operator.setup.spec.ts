import { decode } from '@nats-io/jwt';
import { ClusterNamespace } from '@runnel/protocol';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOperatorModeNats } from './nats-operator.setup';
import { natsRolePermissions } from './secure-cluster.setup';

describe('writeOperatorModeNats', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runnel-operator-setup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the server configuration, the account key and a user per role, readable by their owner only', async () => {
    const target = join(dir, 'nats');
    const files = await writeOperatorModeNats(target, { port: 4999 });
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(readdirSync(target).sort()).toEqual(['account.seed', 'clients.creds', 'nats-server.conf', 'services.creds', 'taskmanagers.creds']);
    for (const file of readdirSync(target)) expect({ file, mode: statSync(join(target, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    const config = readFileSync(files.serverConfig, 'utf8');
    expect(config).toContain('host: 127.0.0.1');
    expect(config).toContain('port: 4999');
    expect(config).toContain(`${files.account.getPublicKey()}: `);
    expect(config).toMatch(/^operator: eyJ/m);
    // The server's configuration holds no seed: only public keys and JWTs.
    expect(config).not.toMatch(/\bS[AOU][A-Z2-7]{56}\b/);
    expect(readFileSync((await writeOperatorModeNats(join(dir, 'bare'), { listen: false })).serverConfig, 'utf8')).not.toMatch(/host:|port:|jetstream/);
    expect(readFileSync(files.accountSeedFile, 'utf8').trim()).toBe(new TextDecoder().decode(files.account.getSeed()));
    const roles = natsRolePermissions(ClusterNamespace.DEFAULT);
    for (const role of ['services', 'taskmanagers', 'clients'] as const) {
      const jwt = /-----BEGIN NATS USER JWT-----\n(\S+)\n/.exec(readFileSync(files.creds[role], 'utf8'))![1];
      const claims = decode<{ pub: { allow: string[] }; sub: { allow: string[] } }>(jwt);
      expect(claims.iss).toBe(files.account.getPublicKey());
      expect(claims.nats.pub.allow).toEqual([...roles[role].publish]);
      expect(claims.nats.sub.allow).toEqual([...roles[role].subscribe]);
    }
  });
});
