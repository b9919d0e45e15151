/**
 * Job arguments and output for commands that run a job on a cluster whose TaskManagers work in
 * another directory: relative `--input`/`--output` values are made absolute, and the JSON Lines
 * a job wrote to `--output` are read back; used by `run-application` and by `npm start -- --run`
 * (tools/src/cluster/cluster-job.runner.ts). Free of @runnel/client so the CLI bundles without
 * NestJS (the CLI spec bundles the CLI from source with esbuild).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Flags of the example jobs whose value is a path. */
const PATH_FLAGS = ['--input', '--output'] as const;

/** Makes the values of `--input`/`--output` absolute (against `cwd`), keeping a trailing '/'. */
export function resolvePathArgs(args: readonly string[], cwd: string): string[] {
  const absolute = (value: string) => (value.endsWith('/') ? `${resolve(cwd, value)}/` : resolve(cwd, value));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const inline = PATH_FLAGS.find((flag) => arg.startsWith(`${flag}=`));
    if (inline) {
      out.push(`${inline}=${absolute(arg.slice(inline.length + 1))}`);
    } else if ((PATH_FLAGS as readonly string[]).includes(arg) && i + 1 < args.length) {
      out.push(arg, absolute(args[++i]));
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The value of `--output` in a job's arguments (the last one), if any. */
export function outputPathOf(args: readonly string[]): string | undefined {
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--output' && i + 1 < args.length) output = args[i + 1];
    else if (args[i].startsWith('--output=')) output = args[i].slice('--output='.length);
  }
  return output;
}

/**
 * The rows a job wrote to `path` (a JSON Lines file, or a directory of part files). Only files
 * written since `since` count: a directory may still hold part files of an earlier run.
 */
export function readJobOutput(path: string, since: number): unknown[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((name) => join(path, name))
        .filter((file) => {
          const stat = statSync(file);
          return stat.isFile() && stat.mtimeMs >= since;
        })
    : [path];
  const rows: unknown[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim().length > 0) rows.push(JSON.parse(line));
  }
  return rows;
}
