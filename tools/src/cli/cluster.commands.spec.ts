/** `runnel list` against a fake REST endpoint: the jobs oldest first, filtered by state. */
import { createServer, type Server } from 'node:http';
import { parseCliArgs } from './cli.args';
import { listJobs } from './cluster.commands';

describe('runnel list', () => {
  let server: Server;
  let base: string;
  const jobs = [
    { jid: 'c'.repeat(32), name: 'third', state: 'RUNNING', 'start-time': Date.UTC(2026, 11, 2, 15, 6), duration: 5_000 },
    { jid: 'a'.repeat(32), name: 'first', state: 'FINISHED', 'start-time': Date.UTC(2026, 11, 2, 15, 0), duration: 60_000 },
    { jid: 'b'.repeat(32), name: 'second', state: 'RUNNING', 'start-time': Date.UTC(2026, 11, 2, 15, 2), duration: 240_000 },
  ];
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/jobs/overview' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/jobs/overview' ? { jobs } : { errors: ['not found'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  async function list(...flags: string[]): Promise<string[]> {
    let out = '';
    const code = await listJobs(parseCliArgs(['list', '-m', base, ...flags]), { stdout: (t) => void (out += t), stderr: () => undefined });
    expect(code).toBe(0);
    return out.trim().split('\n');
  }

  it('prints the jobs oldest first, whatever order the cluster gives', async () => {
    expect(await list()).toEqual([
      `2026-12-02T15:00:00.000Z : ${'a'.repeat(32)} : first (FINISHED, 60 s)`,
      `2026-12-02T15:02:00.000Z : ${'b'.repeat(32)} : second (RUNNING, 240 s)`,
      `2026-12-02T15:06:00.000Z : ${'c'.repeat(32)} : third (RUNNING, 5 s)`,
    ]);
    expect((await list('--running')).map((l) => l.split(' : ')[2])).toEqual(['second (RUNNING, 240 s)', 'third (RUNNING, 5 s)']);
  });
});
