/**
 * Reads a settings class from flags (first), environment variables, then defaults, converts each
 * value to its type and validates the result. A wrong value stops the service at start with a
 * message that says which setting, where it came from and why it is wrong.
 */
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseArgs } from 'node:util';
import { SettingDefinition, settingsOf } from './setting.decorator';
import { redactUrlsIn } from './redact-url';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIGURATION';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Source = 'flag' | 'env' | 'default';

export function loadSettings<T extends object>(
  cls: new () => T,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): T {
  const definitions = settingsOf(cls);
  const flags = parseFlags(definitions, argv);
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const problems: string[] = [];

  for (const def of definitions) {
    const fromFlag = flags[def.flag];
    const fromEnv = env[def.env];
    const [value, source]: [unknown, Source] =
      fromFlag !== undefined ? [fromFlag, 'flag'] : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, 'env'] : [defaultOf(def, raw), 'default'];
    origin[def.property] = describe(def, source);
    if (value === undefined) continue;
    const converted = convert(def, value);
    if (converted instanceof Error) problems.push(`${origin[def.property]}: ${def.secret ? 'invalid value' : converted.message}`);
    else raw[def.property] = converted;
  }

  const instance = plainToInstance(cls, raw);
  for (const error of validateSync(instance, { forbidUnknownValues: true })) {
    const def = definitions.find((d) => d.property === error.property);
    const where = def ? origin[error.property] : error.property;
    const got = def?.secret ? '<secret>' : redactUrlsIn(JSON.stringify((raw as Record<string, unknown>)[error.property]));
    problems.push(`${where} = ${got}: ${Object.values(error.constraints ?? {}).join(', ')}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}\n${usage(definitions)}`);
  }
  return instance;
}

function parseFlags(definitions: readonly SettingDefinition[], argv: readonly string[]): Record<string, unknown> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const def of definitions) options[def.flag] = { type: def.type === 'boolean' ? 'boolean' : 'string' };
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${usage(definitions)}`);
  }
}

function convert(def: SettingDefinition, value: unknown): unknown {
  if (def.type === 'number') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    return String(value).trim() === '' || Number.isNaN(n) ? new Error(`${JSON.stringify(value)} is not a number`) : n;
  }
  if (def.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    const s = String(value).toLowerCase();
    if (['1', 'true', 'yes'].includes(s)) return true;
    if (['0', 'false', 'no'].includes(s)) return false;
    return new Error(`${JSON.stringify(value)} is not a boolean (true/false)`);
  }
  return String(value);
}

function defaultOf(def: SettingDefinition, read: Readonly<Record<string, unknown>>): unknown {
  return typeof def.default === 'function' ? def.default(read) : def.default;
}

function describe(def: SettingDefinition, source: Source): string {
  return source === 'flag' ? `--${def.flag}` : source === 'env' ? def.env : `${def.env} (default)`;
}

export function usage(definitions: readonly SettingDefinition[]): string {
  const rows = definitions.map((d) => {
    const fallback = defaultOf(d, {});
    return `  --${d.flag} / ${d.env}${fallback !== undefined ? ` (default ${fallback})` : ''}: ${d.description}`;
  });
  return `Settings:\n${rows.join('\n')}`;
}
