/**
 * esbuild for job bundles, with its service process stopped and reaped after use. esbuild's
 * JavaScript API runs its Go binary as a child process (`esbuild --service`) that stays up,
 * unref'd, after a build. Node reaps a child (waitpid) only from the event loop of the thread that
 * spawned it: a worker thread that ends, or is terminated, before its esbuild child has exited
 * leaves a zombie `[esbuild] <defunct>` under the process until the process ends (the dispatcher's
 * artifact inspector and the TaskManager's slot workers are such threads). So the service runs
 * only while a build of this thread is in flight: when the last one settles, the service is
 * stopped and the call returns once its child's exit has been collected, before the caller runs
 * any user code (which may spin, exit its thread or be terminated by a deadline).
 */
import type { BuildOptions, BuildResult } from 'esbuild';
import type { ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** How long the stopped service gets to exit after SIGTERM, and then after SIGKILL. */
const EXIT_GRACE_MS = 2000;

/** The channel on which Node publishes every child process this thread creates (Node >= 16.18). */
const SPAWNED = 'child_process';

let inFlight = 0;
/** The service's child processes spawned by builds of this thread (normally one). */
const children = new Set<ChildProcess>();
let stopping: Promise<void> | undefined;

/** What both job bundlers build: the output in memory. */
export type InMemoryBuild = BuildOptions & { readonly write: false };

/** esbuild.build, with the service stopped and its process reaped when no other build of this thread runs. */
export async function buildWithEsbuild(options: InMemoryBuild): Promise<BuildResult<{ write: false }>> {
  const esbuild = await import('esbuild');
  while (stopping) await stopping;
  inFlight++;
  let result: Promise<BuildResult<{ write: false }>>;
  // The service is spawned synchronously inside esbuild.build: what is spawned meanwhile is it.
  const onSpawn = (message: unknown) => {
    const child = (message as { process?: ChildProcess }).process;
    if (child) children.add(child);
  };
  subscribe(SPAWNED, onSpawn);
  try {
    result = esbuild.build(options);
  } catch (error) {
    result = Promise.reject(error);
  } finally {
    unsubscribe(SPAWNED, onSpawn);
  }
  try {
    return await result;
  } finally {
    if (--inFlight === 0) {
      stopping = stopService(esbuild).finally(() => (stopping = undefined));
      await stopping;
    }
  }
}

async function stopService(esbuild: typeof import('esbuild')): Promise<void> {
  const mine = [...children];
  children.clear();
  await esbuild.stop(); // destroys its pipes and sends SIGTERM
  await Promise.all(mine.map(reaped));
}

/** Resolves once Node has collected the child's exit (its 'exit' event), killing it if it lingers. */
function reaped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // esbuild unrefs its child: ref it so this thread's loop lives until the exit is collected.
    child.ref();
    let timer = setTimeout(() => {
      child.kill('SIGKILL');
      timer = setTimeout(done, EXIT_GRACE_MS); // give up rather than hang the caller
    }, EXIT_GRACE_MS);
    function done() {
      clearTimeout(timer);
      child.off('exit', done);
      child.unref();
      resolve();
    }
    child.once('exit', done);
  });
}

/**
 * Stops the service now and resolves once its process is reaped: only for a thread that is about
 * to end while it may still be bundling (a deadline, a cancellation) — a build in flight is cut
 * off and may never settle.
 */
export async function stopEsbuild(): Promise<void> {
  while (stopping) await stopping;
  if (children.size === 0) return;
  const esbuild = await import('esbuild');
  stopping = stopService(esbuild).finally(() => (stopping = undefined));
  await stopping;
}
