// Turns one output line of a Runnel service into one human line for a terminal. The services log
// pino JSON (libs/service-kit/src/logging/logger.ts): numeric `level`, ISO `time`, `msg`, the
// NestJS `context`, the `service`/`id`/`pid` base fields and, for failures, a serialized `err`
// object or a Nest `stack` string. A JSON line becomes
//   12:03:04 resourcemanager  WARN  [TaskManagerRegistry] TaskManager tm-1a2b lost {"jobId":"j1"}
// (pino-pretty renders the message, the remaining fields and error stacks); anything else (a
// crash stack, a node warning) is kept as `12:03:04 resourcemanager  | <line>`.

import { colorizerFactory, prettyFactory } from 'pino-pretty';

export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

/** What the terminal shows when nobody asks for more. */
export const DEFAULT_TERMINAL_LOG_LEVEL: LogLevelName = 'warn';
/** Fits every service name, `resourcemanager` being the longest. */
export const DEFAULT_SERVICE_NAME_WIDTH = 16;

export function isLogLevelName(value: unknown): value is LogLevelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LOG_LEVELS, value);
}

export interface FormatServiceLineOptions {
  /** ANSI colours (only for a TTY). */
  readonly colors: boolean;
  /** JSON lines below this level are not shown (non-JSON lines always are). */
  readonly minLevel: LogLevelName;
  /** The name column is padded to this width (default 16). */
  readonly nameWidth?: number;
  /** The clock for lines without a time of their own (default: now). */
  readonly now?: () => Date;
}

/** Keys that are either shown in the line's head or not worth a terminal's width. */
const IGNORED_KEYS = ['time', 'level', 'msg', 'context', 'service', 'id', 'pid', 'hostname', 'name', 'v'];
const LEVEL_WIDTH = 5;

/**
 * One human line (possibly followed by indented error stack lines) for a service's output line,
 * without a trailing newline; undefined when it is a JSON log line below `minLevel`.
 * Never throws: a line it cannot render is shown as a raw line.
 */
export function formatServiceLine(name: string, line: string, options: FormatServiceLineOptions): string | undefined {
  const now = options.now ?? (() => new Date());
  const record = parseLogRecord(line);
  if (record === undefined) return rawLine(name, line, options, now());

  const level = levelNumber(record.level);
  if (level !== undefined && level < LOG_LEVELS[options.minLevel]) return undefined;

  const kit = prettyKit(options.colors);
  try {
    const head = [
      kit.colorizer.greyMessage(clock(timeOf(record.time) ?? now())),
      nameColumn(kit, name, options),
      levelColumn(kit, level),
    ].join(' ');
    const body = trimLines(kit.pretty(record) ?? '');
    return body === '' ? head.trimEnd() : `${head} ${body}`;
  } catch {
    return rawLine(name, line, options, now());
  }
}

// ---------------------------------------------------------------------------------------------

type PrettyColorizer = ReturnType<typeof colorizerFactory>;

interface PrettyKit {
  readonly pretty: (record: Record<string, unknown>) => string | undefined;
  readonly colorizer: PrettyColorizer;
  readonly colors: boolean;
}

const kits = new Map<boolean, PrettyKit>();

function prettyKit(colors: boolean): PrettyKit {
  let kit = kits.get(colors);
  if (!kit) {
    kit = {
      pretty: prettyFactory({
        colorize: colors,
        // The head (time, name, level) is ours: with time and level ignored pino-pretty writes
        // only the message, the remaining fields inline, and errors on their own lines.
        ignore: IGNORED_KEYS.join(','),
        singleLine: true,
        messageFormat: (log) => {
          const context = typeof log['context'] === 'string' && log['context'] !== '' ? `[${log['context']}] ` : '';
          const msg = log['msg'] === undefined ? '' : typeof log['msg'] === 'string' ? log['msg'] : JSON.stringify(log['msg']);
          return stripControl(`${context}${msg}`);
        },
        errorLikeObjectKeys: ['err', 'error', 'stack'],
        customPrettifiers: { err: prettifyError, error: prettifyError, stack: prettifyError },
      }) as PrettyKit['pretty'],
      colorizer: colorizerFactory(colors),
      colors,
    };
    kits.set(colors, kit);
  }
  return kit;
}

/** A pino-serialized error ({type, message, stack, ...}) or a stack string, as stack text. */
function prettifyError(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value);
  const { type, message, stack, ...rest } = value as Record<string, unknown>;
  const headline = `${typeof type === 'string' ? type : 'Error'}: ${typeof message === 'string' ? message : JSON.stringify(message)}`;
  let text = typeof stack === 'string' && stack !== '' ? stack : headline;
  // A stack normally starts with its message; say it when it does not.
  if (typeof message === 'string' && message !== '' && !text.includes(message)) text = `${headline}\n${text}`;
  if (Object.keys(rest).length > 0) text += `\n${JSON.stringify(rest)}`;
  return text;
}

function parseLogRecord(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  // Some JSON that is not a log record (no level, no message) is better shown as it came.
  if (levelNumber(record['level']) === undefined && !('msg' in record)) return undefined;
  return record;
}

function levelNumber(level: unknown): number | undefined {
  if (typeof level === 'number' && Number.isFinite(level)) return level;
  if (isLogLevelName(level)) return LOG_LEVELS[level];
  return undefined;
}

function levelColumn(kit: PrettyKit, level: number | undefined): string {
  if (level === undefined) return ' '.repeat(LEVEL_WIDTH);
  // Pad outside the colour codes so that the columns line up.
  return kit.colorizer(level) + ' '.repeat(Math.max(0, LEVEL_WIDTH - labelOf(level).length));
}

function labelOf(level: number): string {
  const entry = Object.entries(LOG_LEVELS).find(([, n]) => n === level);
  return entry ? entry[0].toUpperCase() : 'USERLVL';
}

function rawLine(name: string, line: string, options: FormatServiceLineOptions, at: Date): string {
  const kit = prettyKit(options.colors);
  const text = options.colors ? line : stripAnsi(line);
  const { greyMessage } = kit.colorizer;
  return `${greyMessage(clock(at))} ${nameColumn(kit, name, options)} ${greyMessage('|')} ${text}`.trimEnd();
}

/** The name in bold, padded outside the colour codes. */
function nameColumn(kit: PrettyKit, name: string, options: FormatServiceLineOptions): string {
  const padding = ' '.repeat(Math.max(0, (options.nameWidth ?? DEFAULT_SERVICE_NAME_WIDTH) - name.length));
  return (kit.colors ? `\x1b[1m${name}\x1b[22m` : name) + padding;
}

function timeOf(value: unknown): Date | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Local wall-clock time, HH:MM:SS. */
function clock(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function trimLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A message must not move the cursor or recolour the terminal; newlines are kept. */
function stripControl(text: string): string {
  return stripAnsi(text).replace(CONTROL, '');
}
