import { createAccount, decode } from '@nats-io/jwt';
import { ClusterNamespace, JobIds, ResourceIds } from '@runnel/protocol';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobCredentialsError, JobCredentialsMinter } from './job-credentials.minter';

interface UserClaims {
  issuer_account?: string;
  pub: { allow: string[] };
  sub: { allow: string[] };
  resp?: { max: number };
}

describe('JobCredentialsMinter', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runnel-minter-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const seedFile = (seed: Uint8Array | string) => {
    const path = join(dir, 'account.seed');
    writeFileSync(path, typeof seed === 'string' ? seed : new TextDecoder().decode(seed));
    return path;
  };
  const jwtOf = (credsFile: string) => /-----BEGIN NATS USER JWT-----\n(\S+)\n/.exec(readFileSync(credsFile, 'utf8'))![1];

  it('is off without a seed file', () => {
    expect(JobCredentialsMinter.fromSettings({ dir: join(dir, 'c'), namespace: ClusterNamespace.DEFAULT })).toBeUndefined();
  });

  it('writes a 0600 .creds file of a user the account signed, allowed its job only, and deletes it on forget', async () => {
    const account = createAccount();
    const minter = JobCredentialsMinter.fromSettings({ seedFile: seedFile(account.getSeed()), dir: join(dir, 'creds'), namespace: ClusterNamespace.DEFAULT })!;
    const job = JobIds.generate();
    const tm = ResourceIds.parse('tm-job123456-aabbccdd');
    const minted = await minter.mint(tm, job);
    expect(statSync(minted.credsFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'creds')).mode & 0o777).toBe(0o700);
    expect(minted.inboxPrefix).toBe(`_INBOX_${tm}`);
    const claims = decode<UserClaims>(jwtOf(minted.credsFile));
    expect(claims.iss).toBe(account.getPublicKey());
    expect(claims.sub).toBe(minted.user);
    expect(claims.nats.pub.allow).toContain(`runnel.data.${job}.>`);
    expect(claims.nats.pub.allow).not.toContain('runnel.data.>');
    expect(claims.nats.pub.allow.some((s) => s.startsWith('_INBOX'))).toBe(false);
    expect(claims.nats.sub.allow).toContain(`_INBOX_${tm}.>`);
    expect(claims.nats.sub.allow).not.toContain('_INBOX.>');
    expect(claims.nats.resp?.max).toBe(1);
    expect(claims.exp).toBeUndefined();
    // The file holds the user's seed, never the account's.
    expect(readFileSync(minted.credsFile, 'utf8')).not.toContain(new TextDecoder().decode(account.getSeed()));
    minter.forget(tm);
    expect(existsSync(minted.credsFile)).toBe(false);
  });

  it('keeps the JWT within what a default nats-server reads in a CONNECT line: the default cluster restoring from another job, an application cluster', async () => {
    for (const [clusterId, restoresFrom] of [['default', [JobIds.generate()]], ['app-1a2b3c4d', []]] as const) {
      const minter = JobCredentialsMinter.fromSettings({ seedFile: seedFile(createAccount().getSeed()), dir: join(dir, 'creds'), namespace: ClusterNamespace.of(clusterId) })!;
      const minted = await minter.mint(ResourceIds.parse('tm-job123456-aabbccdd'), JobIds.generate(), restoresFrom);
      // max_control_line is 4096 bytes; the CONNECT's other fields and the signed nonce take about 400.
      expect([clusterId, jwtOf(minted.credsFile).length < 3600]).toEqual([clusterId, true]);
    }
  });

  it('refuses a user too long for a default CONNECT line, saying what to change', async () => {
    const minter = JobCredentialsMinter.fromSettings({ seedFile: seedFile(createAccount().getSeed()), dir: join(dir, 'creds'), namespace: ClusterNamespace.of('a-cluster-id-of-32-characters-xx') })!;
    await expect(minter.mint(ResourceIds.parse('tm-1'), JobIds.generate(), [JobIds.generate()])).rejects.toThrow(/more than fits .*max_control_line 4096 bytes, TM_NATS_MAX_CONTROL_LINE.*shorter CLUSTER_ID/);
  });

  it('signs with a signing key for the account TM_NATS_ACCOUNT names', async () => {
    const account = createAccount();
    const signingKey = createAccount();
    const minter = JobCredentialsMinter.fromSettings({ seedFile: seedFile(signingKey.getSeed()), account: account.getPublicKey(), dir: join(dir, 'creds'), namespace: ClusterNamespace.DEFAULT })!;
    const claims = decode<UserClaims>(jwtOf((await minter.mint(ResourceIds.parse('tm-1'), JobIds.generate())).credsFile));
    expect(claims.iss).toBe(signingKey.getPublicKey());
    expect(claims.nats.issuer_account).toBe(account.getPublicKey());
  });

  it('refuses a file that holds no account seed, naming the file and not its contents', () => {
    const secret = 'SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU';
    const path = seedFile(secret);
    const attempt = () => JobCredentialsMinter.fromSettings({ seedFile: path, dir: join(dir, 'c'), namespace: ClusterNamespace.DEFAULT });
    expect(attempt).toThrow(JobCredentialsError);
    expect(attempt).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not hold an account nkey seed`));
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => JobCredentialsMinter.fromSettings({ seedFile: join(dir, 'missing'), dir: join(dir, 'c'), namespace: ClusterNamespace.DEFAULT })).toThrow(/cannot read .*missing \(ENOENT\)/);
  });
});
