/**
 * The NATS credential and TLS settings every service has (NATS_USER/NATS_PASSWORD, NATS_TOKEN,
 * NATS_NKEY_SEED_FILE, NATS_CREDS, NATS_TLS_CA/CERT/KEY; see @runnel/protocol's
 * nats-connect-options.ts). Checked at start like every setting: a password without a user, two
 * ways of authenticating, a certificate without its key, a file that cannot be read or does not
 * hold a seed or creds stop the service with a message naming the setting. Password and token are
 * secret: never printed.
 */
import { NatsCredentialKey, NatsCredentials, natsCredentialProblems } from '@runnel/protocol';
import { IsOptional, IsString, ValidateBy, ValidationArguments } from 'class-validator';
import { Setting } from './setting.decorator';

const PROPERTY: Readonly<Record<NatsCredentialKey, keyof NatsCredentialSettings>> = {
  user: 'natsUser',
  password: 'natsPassword',
  token: 'natsToken',
  nkeySeedFile: 'natsNkeySeedFile',
  credsFile: 'natsCreds',
  tlsCa: 'natsTlsCa',
  tlsCert: 'natsTlsCert',
  tlsKey: 'natsTlsKey',
  inboxPrefix: 'natsInboxPrefix',
};

/** The problems natsCredentialProblems finds that belong to this property. */
function problemsOf(args: ValidationArguments | undefined): string[] {
  if (!args) return [];
  const credentials = natsCredentialsOf(args.object as NatsCredentialSettings);
  return natsCredentialProblems(credentials)
    .filter((p) => PROPERTY[p.key] === args.property)
    .map((p) => p.message);
}

const IsUsableNatsCredential = () =>
  ValidateBy({
    name: 'isUsableNatsCredential',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => problemsOf(args).length === 0,
      defaultMessage: (args?: ValidationArguments) => problemsOf(args).join('; '),
    },
  });

export class NatsCredentialSettings {
  @Setting({ env: 'NATS_USER', flag: 'nats-user', description: 'NATS user name (with NATS_PASSWORD)' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsUser?: string;

  @Setting({ env: 'NATS_PASSWORD', flag: 'nats-password', secret: true, description: 'password of NATS_USER' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsPassword?: string;

  @Setting({ env: 'NATS_TOKEN', flag: 'nats-token', secret: true, description: 'NATS authentication token' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsToken?: string;

  @Setting({ env: 'NATS_NKEY_SEED_FILE', flag: 'nats-nkey-seed-file', description: 'file holding the NATS user nkey seed (SU…)' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsNkeySeedFile?: string;

  @Setting({ env: 'NATS_CREDS', flag: 'nats-creds', description: 'NATS .creds file (user JWT and seed, as nsc writes them)' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsCreds?: string;

  @Setting({ env: 'NATS_TLS_CA', flag: 'nats-tls-ca', description: 'PEM CA file the NATS server certificate is checked against (turns TLS on)' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsTlsCa?: string;

  @Setting({ env: 'NATS_TLS_CERT', flag: 'nats-tls-cert', description: 'PEM client certificate for NATS (with NATS_TLS_KEY)' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsTlsCert?: string;

  @Setting({ env: 'NATS_TLS_KEY', flag: 'nats-tls-key', description: 'PEM private key of NATS_TLS_CERT' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsTlsKey?: string;

  @Setting({ env: 'NATS_INBOX_PREFIX', flag: 'nats-inbox-prefix', description: 'subject prefix of reply inboxes (default _INBOX), for NATS users allowed replies only under their own' })
  @IsOptional() @IsString() @IsUsableNatsCredential()
  natsInboxPrefix?: string;
}

/** The credentials a service's settings give (for connectNats, RunnelNatsServer and slot workers). */
export function natsCredentialsOf(settings: Partial<NatsCredentialSettings>): NatsCredentials {
  const out: Record<string, string> = {};
  for (const [key, property] of Object.entries(PROPERTY)) {
    const value = settings[property];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out as NatsCredentials;
}
