/**
 * The argument contract every example job shares: where events come from (`--input` file or
 * the Nexmark generator), where results go (`--output`, or stdout) and checkpointing.
 */
import { parseArgs } from 'node:util';

export interface ExampleArgs {
  /** JSON Lines events (Nexmark jobs) or text (word-count); absent: the Nexmark generator. */
  input?: string;
  /** JSON Lines output: a file, or a directory of part files when it ends with '/'. */
  output?: string;
  events: number;
  rate: number;
  seed: number;
  baseTime?: number;
  checkpointInterval?: number;
}

export class ExampleArgsError extends Error {
  readonly code = 'EXAMPLE_ARGS_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ExampleArgsError';
  }
}

function numberArg(name: string, raw: string | undefined, fallback: number | undefined): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ExampleArgsError(`--${name} expects a number, got '${raw}'`);
  return n;
}

export function parseExampleArgs(args: readonly string[]): ExampleArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        input: { type: 'string' },
        output: { type: 'string' },
        events: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        'base-time': { type: 'string' },
        'checkpoint-interval': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new ExampleArgsError((err as Error).message);
  }
  return {
    input: values.input,
    output: values.output,
    events: numberArg('events', values.events, 100_000) as number,
    rate: numberArg('rate', values.rate, 10_000) as number,
    seed: numberArg('seed', values.seed, 42) as number,
    baseTime: numberArg('base-time', values['base-time'], undefined),
    checkpointInterval: numberArg('checkpoint-interval', values['checkpoint-interval'], undefined),
  };
}
