/**
 * Job artifacts. A job is an ES module (or TypeScript file) whose default export builds the
 * pipeline: `export default (env, args) => { ... }`. It is bundled with esbuild to CommonJS
 * (@runnel/dataflow stays external and is bound to the host's copy, so classes and instanceof
 * checks are shared) and evaluated in the current realm — this works in plain node and in jest
 * alike, without ESM loader flags. Building a graph never runs the job: a plan environment only
 * records it. Because a worker rebuilds the graph by importing the artifact again and binds
 * functions by operator uid, graph building must be deterministic; the hash proves it.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { JobGraphMismatchError, JobModuleError } from '../core/dataflow.errors';
import { jobGraphHash } from '../graph/job-graph.builder';
import type { FunctionRegistry, JobGraph } from '../graph/job-graph.types';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment';
import { buildWithEsbuild } from './esbuild.runner';

export type JobMain = (env: StreamExecutionEnvironment, args: string[]) => void | Promise<void>;

export interface JobModule {
  readonly main: JobMain;
  readonly filename: string;
  /** The bundled CommonJS code (what a TaskManager can cache). */
  readonly code: string;
}

export interface JobSource {
  readonly source: string;
  /** Used for stack traces and to resolve relative imports. */
  readonly filename?: string;
  readonly loader?: 'ts' | 'js';
}

export interface LoadedJobGraph {
  readonly jobGraph: JobGraph;
  readonly hash: string;
  readonly functions: FunctionRegistry;
}

const HOST_PACKAGE = '@runnel/dataflow';

/**
 * Bundles and evaluates a job module from a file path (.ts, .mts, .js, .mjs, .cjs) or source text.
 * esbuild (loaded lazily: only clients and workers that load artifacts need it) is stopped and its
 * process reaped before the module's code runs (esbuild.runner.ts): a worker thread that loads a
 * job leaves no child behind, whatever the job does to it.
 */
export async function loadJobModule(pathOrSource: string | JobSource): Promise<JobModule> {
  const external = [HOST_PACKAGE, '@runnel/*'];
  let code: string;
  let filename: string;
  try {
    if (typeof pathOrSource === 'string') {
      filename = path.resolve(pathOrSource);
      const out = await buildWithEsbuild({ entryPoints: [filename], bundle: true, format: 'cjs', platform: 'node', target: 'node20', write: false, external, logLevel: 'silent' });
      code = out.outputFiles[0].text;
    } else {
      filename = path.resolve(pathOrSource.filename ?? 'job-module.ts');
      const out = await buildWithEsbuild({
        stdin: { contents: pathOrSource.source, loader: pathOrSource.loader ?? 'ts', resolveDir: path.dirname(filename), sourcefile: filename },
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        write: false,
        external,
        logLevel: 'silent',
      });
      code = out.outputFiles[0].text;
    }
  } catch (err) {
    throw new JobModuleError(`could not bundle job module ${typeof pathOrSource === 'string' ? pathOrSource : (pathOrSource.filename ?? '<source>')}: ${(err as Error).message}`, err);
  }
  return { main: evaluate(code, filename), filename, code };
}

/** Evaluates bundled CommonJS code; returns its default export. */
export function evaluate(code: string, filename: string): JobMain {
  const host = require('../index');
  const nodeRequire = createRequire(filename);
  const req = (id: string) => (id === HOST_PACKAGE ? host : nodeRequire(id));
  const mod = { exports: {} as Record<string, unknown> };
  try {
    // new Function compiles in the current realm (jest's sandbox too); sourceURL names it in stacks.
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', `${code}\n//# sourceURL=${filename}`);
    wrapper(mod.exports, req, mod, filename, path.dirname(filename));
  } catch (err) {
    throw new JobModuleError(`job module ${filename} failed to load: ${(err as Error).message}`, err);
  }
  const exported = mod.exports as { default?: unknown };
  const main = typeof exported.default === 'function' ? exported.default : typeof mod.exports === 'function' ? mod.exports : undefined;
  if (typeof main !== 'function') throw new JobModuleError(`job module ${filename} must default-export a function (env, args) => void`);
  return main as JobMain;
}

export interface BuildJobGraphOptions {
  readonly parallelism?: number;
  readonly maxParallelism?: number;
  /** Job name when the module does not call env.execute(name). */
  readonly jobName?: string;
}

/** Runs the module's main on a plan environment and returns the graph, its hash and functions by uid. */
export async function buildJobGraph(module: JobModule, args: string[] = [], options: BuildJobGraphOptions = {}): Promise<LoadedJobGraph> {
  const env = StreamExecutionEnvironment.createPlanEnvironment(options.parallelism ?? 1);
  if (options.maxParallelism !== undefined) env.setMaxParallelism(options.maxParallelism);
  const previous = StreamExecutionEnvironment.contextEnvironment;
  StreamExecutionEnvironment.contextEnvironment = env;
  try {
    await module.main(env, [...args]);
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('DATAFLOW_')) throw err;
    throw new JobModuleError(`job module ${module.filename} threw while building its graph: ${(err as Error).message}`, err);
  } finally {
    StreamExecutionEnvironment.contextEnvironment = previous;
  }
  const { jobGraph, functions } = env.buildJob(env.plannedJobName ?? options.jobName ?? 'Runnel Job');
  return { jobGraph, hash: jobGraphHash(jobGraph), functions };
}

/** For workers: the rebuilt graph must be the one that was deployed. */
export function assertJobGraphHash(loaded: LoadedJobGraph, expectedHash: string): void {
  if (loaded.hash !== expectedHash) throw new JobGraphMismatchError(expectedHash, loaded.hash);
}
