import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatServiceLine, type FormatServiceLineOptions } from './log-line.format';
import { startManagedProcess } from './managed-process.util';
import { waitFor } from './wait-for.util';

// What a service's pino logger writes (libs/service-kit/src/logging/logger.ts).
const TIME = '2024-05-01T10:03:04.123Z';
const record = (fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 30, time: TIME, service: 'resourcemanager', id: 'rm-1', pid: 4242, hostname: 'box', ...fields });

/** The local wall-clock time the formatter shows for `date`. */
const clock = (date: Date): string =>
  [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;
const plain: FormatServiceLineOptions = { colors: false, minLevel: 'warn' };

describe('formatServiceLine', () => {
  it('hides a JSON line below the minimum level, and shows it when the level allows', () => {
    const line = record({ level: 30, msg: 'listening on 8080', context: 'NestApplication' });
    expect(formatServiceLine('dispatcher', line, plain)).toBeUndefined();
    expect(formatServiceLine('dispatcher', line, { ...plain, minLevel: 'info' })).toBe(
      `${clock(new Date(TIME))} dispatcher       INFO  [NestApplication] listening on 8080`,
    );
  });

  it('shows a warn line as time, padded name, level, context and message, on one line', () => {
    const line = record({ level: 40, context: 'TaskManagerRegistry', msg: 'TaskManager tm-1a2b lost: no heartbeat for 6000 ms' });
    expect(formatServiceLine('resourcemanager', line, plain)).toBe(
      `${clock(new Date(TIME))} resourcemanager  WARN  [TaskManagerRegistry] TaskManager tm-1a2b lost: no heartbeat for 6000 ms`,
    );
  });

  it('leaves out pid, hostname, service and id, but keeps other fields', () => {
    const shown = formatServiceLine('jobmanager', record({ level: 50, msg: 'deploy failed', jobId: 'j-1' }), plain) ?? '';
    expect(shown).toMatch(/ jobmanager {7}ERROR deploy failed \{"jobId":"j-1"\}$/);
    for (const hidden of ['4242', 'box', 'rm-1', 'resourcemanager']) expect(shown).not.toContain(hidden);
  });

  it('pads the name to the given width', () => {
    const shown = formatServiceLine('tm-1', record({ level: 40, msg: 'x' }), { ...plain, nameWidth: 6 });
    expect(shown).toBe(`${clock(new Date(TIME))} tm-1   WARN  x`);
  });

  it('keeps a line that is not JSON, with the time and name in front, whatever the level', () => {
    const now = (): Date => new Date(2024, 0, 2, 7, 8, 9);
    const options = { ...plain, minLevel: 'fatal' as const, now };
    expect(formatServiceLine('taskmanager', 'TypeError: x is not a function', options)).toBe(
      '07:08:09 taskmanager      | TypeError: x is not a function',
    );
    expect(formatServiceLine('taskmanager', '    at run (main.js:1:2)', options)).toBe('07:08:09 taskmanager      |     at run (main.js:1:2)');
    expect(formatServiceLine('taskmanager', '{"half": "a json', options)).toBe('07:08:09 taskmanager      | {"half": "a json');
  });

  it('writes no ANSI escapes without colours, and some with', () => {
    const lines = [
      record({ level: 50, context: 'JobMaster', msg: 'failed', jobId: 'j-1' }),
      record({ level: 60, msg: 'dying', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.js:1:1)' } }),
      '(node:1) Warning: \x1b[31mred\x1b[39m',
    ];
    for (const line of lines) {
      expect(formatServiceLine('jobmanager', line, plain)).not.toMatch(ANSI);
      expect(formatServiceLine('jobmanager', line, { ...plain, colors: true })).toMatch(ANSI);
    }
  });

  it('shows the message and stack of an err object, and a Nest stack string', () => {
    const err = { type: 'TypeError', message: 'cannot read x', stack: 'TypeError: cannot read x\n    at deploy (job.js:10:5)', code: 'E_X' };
    const shown = formatServiceLine('jobmanager', record({ level: 50, context: 'JobMaster', msg: 'deploy failed', err }), plain) ?? '';
    const [head, ...rest] = shown.split('\n');
    expect(head).toBe(`${clock(new Date(TIME))} jobmanager       ERROR [JobMaster] deploy failed`);
    expect(rest.join('\n')).toContain('TypeError: cannot read x');
    expect(rest.join('\n')).toContain('at deploy (job.js:10:5)');
    expect(rest.join('\n')).toContain('E_X');

    const nest = formatServiceLine('dispatcher', record({ level: 50, context: 'ExceptionsHandler', msg: 'oops', stack: 'Error: oops\n    at handler (h.js:3:4)' }), plain);
    expect(nest).toContain('[ExceptionsHandler] oops');
    expect(nest).toContain('at handler (h.js:3:4)');
  });

  it('takes the time from an epoch-millisecond time field too', () => {
    const at = new Date(2024, 4, 1, 23, 59, 58);
    expect(formatServiceLine('x', record({ level: 40, time: at.getTime(), msg: 'm' }), plain)).toBe(`23:59:58 x                WARN  m`);
  });
});

describe("startManagedProcess with a 'service' sink", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'service-sink-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends every line unchanged to the file, and shows readable lines at or above the level', async () => {
    const lines = [
      record({ level: 30, msg: 'started' }),
      record({ level: 40, context: 'Heartbeats', msg: 'late heartbeat' }),
      'a plain line',
    ];
    const terminal = new PassThrough();
    let shown = '';
    terminal.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const file = join(dir, 'logs', 'resourcemanager.log');
    const proc = startManagedProcess({
      name: 'resourcemanager',
      command: process.execPath,
      args: ['-e', `for (const l of ${JSON.stringify(lines)}) console.log(l)`],
      output: { type: 'service', file, stream: terminal },
    });
    await expect(proc.exited).resolves.toEqual({ code: 0, signal: null });
    const expected = lines.map((l) => `${l}\n`).join('');
    // The file stream is ended, not awaited, when the process closes.
    await waitFor(() => readFileSync(file, 'utf8') === expected, { description: 'the log file', timeoutMs: 5_000, intervalMs: 10 });

    expect(readFileSync(file, 'utf8')).toBe(expected);
    const terminalLines = shown.trimEnd().split('\n');
    expect(terminalLines).toHaveLength(2);
    expect(terminalLines[0]).toMatch(/^\d\d:\d\d:\d\d resourcemanager {2}WARN {2}\[Heartbeats\] late heartbeat$/);
    expect(terminalLines[1]).toMatch(/^\d\d:\d\d:\d\d resourcemanager {2}\| a plain line$/);
  });
});
