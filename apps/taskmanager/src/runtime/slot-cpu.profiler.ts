/**
 * The worker side of a CPU profile: V8's sampling profiler through an inspector session on the
 * worker's own isolate (a thread's, or a child process's). Samples are taken by V8 off the event
 * loop, so a busy task is profiled as it runs; the profile ends on a timer, so a worker that never
 * returns to its loop is left to the stall watchdog (whose failure carries its stack).
 */
import type { Profiler, Session } from 'node:inspector';

export async function takeCpuProfile(durationMs: number, samplingIntervalUs: number): Promise<Profiler.Profile> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session: Session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
  try {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const { profile } = await post<{ profile: Profiler.Profile }>('Profiler.stop');
    return profile;
  } finally {
    await post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
