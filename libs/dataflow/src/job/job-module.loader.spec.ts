import * as path from 'node:path';
import { JobGraphMismatchError, JobModuleError, StreamExecutionEnvironment, CollectSink } from '../index';
import { assertJobGraphHash, buildJobGraph, loadJobModule } from './job-module.loader';
import { EmbeddedExecutor } from '../executor/embedded.executor';

const fixture = (f: string) => path.join(__dirname, 'fixtures', f);

describe('job modules', () => {
  it('loads a TypeScript job, builds a deterministic graph and binds functions by uid', async () => {
    const a = await buildJobGraph(await loadJobModule(fixture('word-count.job.ts')), ['a b a'], { parallelism: 2 });
    const b = await buildJobGraph(await loadJobModule(fixture('word-count.job.ts')), ['a b a'], { parallelism: 2 });
    expect(a.jobGraph.jobName).toBe('word-count');
    expect(a.hash).toBe(b.hash);
    expect(JSON.stringify(a.jobGraph)).toBe(JSON.stringify(b.jobGraph));
    expect(typeof a.functions.get('counts')?.keySelectors?.[0]).toBe('function');
    expect(() => assertJobGraphHash(b, a.hash)).not.toThrow();
    const other = await buildJobGraph(await loadJobModule(fixture('word-count.job.ts')), ['a b a'], { parallelism: 3 });
    expect(() => assertJobGraphHash(other, a.hash)).toThrow(JobGraphMismatchError);
  });

  it('runs a rebuilt graph with the functions of a fresh import', async () => {
    const mod = await loadJobModule(fixture('word-count.job.ts'));
    const { jobGraph, functions } = await buildJobGraph(mod, ['x y x', 'y x'], { parallelism: 2 });
    // The sink instance lives in the imported module: collect through the bound sink object.
    const sinkUid = jobGraph.vertices.flatMap((v) => v.operators).find((o) => o.kind === 'sink')!.uid;
    const sink = functions.get(sinkUid)!.sink as CollectSink<{ word: string; count: number }>;
    await new EmbeddedExecutor().submit({ jobGraph, functions }).result;
    const finals = new Map<string, number>();
    for (const r of sink.values) finals.set(r.word, Math.max(finals.get(r.word) ?? 0, r.count));
    expect(Object.fromEntries(finals)).toEqual({ x: 3, y: 2 });
  });

  it('loads .mjs jobs bound to the host @runnel/dataflow', async () => {
    const mod = await loadJobModule(fixture('numbers.job.mjs'));
    const { jobGraph } = await buildJobGraph(mod, ['5'], { parallelism: 1, jobName: 'squares' });
    expect(jobGraph.jobName).toBe('squares');
    expect(jobGraph.vertices.flatMap((v) => v.operators.map((o) => o.uid))).toContain('squares');
  });

  it('loads a job from source text and runs it on a local environment', async () => {
    const mod = await loadJobModule({
      filename: path.join(__dirname, 'inline-job.ts'),
      source: `import type { StreamExecutionEnvironment } from '@runnel/dataflow';
        export default (env: StreamExecutionEnvironment, args: string[]) => { (globalThis as any).__sink = env.fromSequence(1, Number(args[0])).map((x: number) => x + 1).executeAndCollect(); };`,
    });
    await mod.main(StreamExecutionEnvironment.createLocalEnvironment(2), ['4']);
    const out = await (globalThis as unknown as { __sink: Promise<number[]> }).__sink;
    expect(out.sort()).toEqual([2, 3, 4, 5]);
  });

  it('plans modules that call getExecutionEnvironment() themselves instead of running them', async () => {
    const mod = await loadJobModule({
      filename: path.join(__dirname, 'self-env-job.ts'),
      source: `import { StreamExecutionEnvironment } from '@runnel/dataflow';
        export default async () => {
          const env = StreamExecutionEnvironment.getExecutionEnvironment();
          env.fromSequence(1, 3).map((x: number) => { throw new Error('must not run while planning ' + x); }).print();
          await env.execute('self-env');
        };`,
    });
    const { jobGraph } = await buildJobGraph(mod, [], { parallelism: 2 });
    expect(jobGraph.jobName).toBe('self-env');
    expect(jobGraph.vertices[0].parallelism).toBe(2);
  });

  it('rejects modules without a default export function, with a named error', async () => {
    await expect(loadJobModule({ source: 'export const x = 1;', filename: path.join(__dirname, 'bad.ts') })).rejects.toThrow(JobModuleError);
    await expect(loadJobModule({ source: 'export default (', filename: path.join(__dirname, 'broken.ts') })).rejects.toThrow(/could not bundle/);
  });
});
