// Real Postgres starts (each well under a second here; 60 s deadlines for a loaded machine).
// As root (here and in CI) Postgres runs as user postgres, which is what the relocation tests need.

import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { ProcessStartError } from './infra.errors';
import { listPostgresBinaries } from './postgres-binaries.util';
import { RELOCATED_MARKER, relocatedDataDir, RUNNEL_SYSTEM_DIR } from './postgres-relocation.util';
import { startPostgres, type PostgresHandle } from './postgres.launcher';
import { isPostgresReachable } from './reachability.util';

const TIMEOUT = 60_000;
const asRoot = process.getuid?.() === 0 ? it : it.skip;

/** Pids of processes whose command line mentions `path` (left-over postgres children). */
function processesMentioning(path: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(path))) {
        pids.push(Number(name));
      }
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function startFailure(options: Parameters<typeof startPostgres>[0]): Promise<ProcessStartError> {
  const error = await startPostgres({ log: () => undefined, ...options }).then(
    async (handle) => {
      await handle.stop();
      throw new Error(`Postgres started on ${options.dataDir} although it should not have`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessStartError);
  return error as ProcessStartError;
}

describe('startPostgres: failures name Postgres, the data directory and its log', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'runnel-pg-fail-'));
    chmodSync(work, 0o755); // reachable by user postgres, so nothing is relocated
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it(
    'rejects a data dir that is a regular file',
    async () => {
      const dataDir = join(work, 'postgres');
      writeFileSync(dataDir, 'not a directory\n');
      const error = await startFailure({ dataDir });
      expect(error.message).toContain('Postgres');
      expect(error.message).toContain(dataDir);
      expect(readFileSync(dataDir, 'utf8')).toBe('not a directory\n');
      expect(processesMentioning(dataDir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'reports initdb failing, with its output',
    async () => {
      const dataDir = join(work, 'postgres');
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, 'stray-file'), 'x'); // initdb wants an empty directory
      const error = await startFailure({ dataDir });
      expect(error.message).toContain('Postgres could not initialise its data directory');
      expect(error.message).toContain(dataDir);
      expect(error.message).toMatch(/exists but is not empty/);
      expect(processesMentioning(dataDir)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'reports postgres exiting during start-up, with the last lines of its log',
    async () => {
      const dataDir = join(work, 'postgres');
      const logFile = join(work, 'logs', 'postgres.log');
      mkdirSync(dataDir, { mode: 0o700 });
      // looks initialised, but holds no cluster: postgres starts and exits at once
      writeFileSync(join(dataDir, 'PG_VERSION'), `${listPostgresBinaries()[0]?.major}\n`);
      const error = await startFailure({ dataDir, output: { type: 'file', path: logFile } });
      expect(error.message).toMatch(/^Postgres \d+ .* exited during start-up/);
      expect(error.message).toContain(`data directory ${dataDir}`);
      expect(error.message).toContain(logFile);
      expect(error.message).toMatch(/last lines of its log:\n.*could not access the server configuration file/s);
      expect(processesMentioning(dataDir)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('startPostgres as root, with a data dir user postgres cannot reach', () => {
  let checkout: string | undefined;
  let handle: PostgresHandle | undefined;
  const relocatedEntries: string[] = [];

  afterAll(async () => {
    await handle?.stop(5_000);
    if (checkout) rmSync(checkout, { recursive: true, force: true });
    for (const entry of relocatedEntries) rmSync(entry, { recursive: true, force: true });
  }, TIMEOUT);

  asRoot(
    'runs it from /var/lib/runnel/data/<hash>/postgres and accepts connections',
    async () => {
      checkout = mkdtempSync('/root/runnel-pg-reloc-'); // mode 0700, inside /root (0700 too)
      const requested = join(checkout, '.runnel', 'postgres');
      const expected = relocatedDataDir(requested);
      relocatedEntries.push(dirname(expected));
      const logs: string[] = [];

      handle = await startPostgres({ dataDir: requested, ephemeral: true, log: (m) => logs.push(m) });

      expect(await isPostgresReachable(handle.url)).toBe(true);
      expect(handle.requestedDataDir).toBe(requested);
      expect(handle.dataDir).toBe(expected);
      expect(expected.startsWith(`${RUNNEL_SYSTEM_DIR}/data/`)).toBe(true);
      const client = new Client({ connectionString: handle.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
        expect(rows[0]?.data_directory).toBe(expected);
      } finally {
        await client.end();
      }
      expect(existsSync(join(expected, 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(requested, 'PG_VERSION'))).toBe(false);
      expect(JSON.parse(readFileSync(join(requested, RELOCATED_MARKER), 'utf8')).dataDir).toBe(expected);
      expect(logs.filter((m) => m.includes(`cannot reach the data directory ${requested}`))).toEqual([
        expect.stringContaining(`using ${expected} instead`),
      ]);

      const pid = handle.pid;
      const exit = await handle.stop();
      handle = undefined;
      expect(exit.code).toBe(0);
      expect(processesMentioning(expected)).toEqual([]);
      expect(processesMentioning(String(pid))).toEqual([]);
    },
    TIMEOUT,
  );
});
