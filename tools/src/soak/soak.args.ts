// Arguments of `npm run soak -- --minutes N …`.
import { parseArgs } from 'node:util';
import { FaultKind } from './fault.injector';

export interface SoakArgs {
  /** How long faults are injected; the running jobs then finish and are checked. */
  readonly minutes: number;
  /** Seeds the fault schedule and the Nexmark generator, so a run can be repeated. */
  readonly seed: number;
  /** Events of each job's first round; later rounds are sized from the measured throughput. */
  readonly events: number;
  /** Pause between the recovery from one fault and the next fault, uniform in [min, max] s. */
  readonly pauseMinS: number;
  readonly pauseMaxS: number;
  readonly taskmanagers: number;
  /** The kinds of fault to inject (default all); none: rounds only, e.g. to watch memory over many jobs. */
  readonly faults: readonly FaultKind[];
  readonly dataDir?: string;
  readonly keep: boolean;
  readonly help: boolean;
}

export class SoakArgsError extends Error {
  readonly code = 'SOAK_ARGS_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SoakArgsError';
  }
}

export const SOAK_USAGE = `Usage: npm run soak -- [--minutes N] [options]

Starts a local cluster (1 standby per control service), runs checkpointed Nexmark jobs (q5 and q1)
and SIGKILLs TaskManagers, the JobManager leader, the ResourceManager leader and NATS at random;
then checks every job's output against the reference and prints faults, recovery times and
records lost / duplicated. Exits 1 when an output differs or a fault is not recovered from.

  --minutes N        minutes of fault injection (default 5)
  --seed S           fault schedule and generator seed (default 1)
  --events E         events of each job's first round (default 600000)
  --pause MIN,MAX    seconds between a recovery and the next fault (default 5,20)
  --taskmanagers N   TaskManagers, 2 slots each (default 3)
  --faults LIST      kinds to inject, comma-separated: taskmanager, jobmanager, resourcemanager,
                     nats (default all), or none (rounds only). With taskmanager alone, one
                     JobManager process runs every round, so its heap line shows whether it grows
  --data-dir DIR     where the cluster keeps its data and logs (default a new temporary directory)
  --keep             keep the data directory afterwards
`;

const FAULT_NAMES: Readonly<Record<string, FaultKind>> = {
  taskmanager: FaultKind.TaskManager,
  jobmanager: FaultKind.JobManagerLeader,
  resourcemanager: FaultKind.ResourceManagerLeader,
  nats: FaultKind.Nats,
};

function faultKinds(raw: string | undefined): FaultKind[] {
  if (raw === undefined) return Object.values(FaultKind);
  if (raw === 'none') return [];
  return [...new Set(raw.split(','))].map((name) => {
    const kind = FAULT_NAMES[name.trim()];
    if (!kind) throw new SoakArgsError(`--faults: unknown kind '${name}' (taskmanager, jobmanager, resourcemanager, nats, or none)`);
    return kind;
  });
}

function positive(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new SoakArgsError(`--${name} expects a positive ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return n;
}

export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        minutes: { type: 'string' },
        seed: { type: 'string' },
        events: { type: 'string' },
        pause: { type: 'string' },
        taskmanagers: { type: 'string' },
        faults: { type: 'string' },
        'data-dir': { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SoakArgsError((error as Error).message);
  }
  const pause = ((values.pause as string | undefined) ?? '5,20').split(',');
  if (pause.length !== 2) throw new SoakArgsError(`--pause expects MIN,MAX seconds, got '${values.pause}'`);
  const pauseMinS = positive('pause', pause[0], 5);
  const pauseMaxS = positive('pause', pause[1], 20);
  if (pauseMaxS < pauseMinS) throw new SoakArgsError(`--pause: MAX must be >= MIN, got '${values.pause}'`);
  const seedRaw = values.seed as string | undefined;
  const seed = seedRaw === undefined ? 1 : Number(seedRaw);
  if (!Number.isInteger(seed)) throw new SoakArgsError(`--seed expects an integer, got '${seedRaw}'`);
  return {
    minutes: positive('minutes', values.minutes as string | undefined, 5),
    seed,
    events: positive('events', values.events as string | undefined, 600_000, true),
    pauseMinS,
    pauseMaxS,
    taskmanagers: positive('taskmanagers', values.taskmanagers as string | undefined, 3, true),
    faults: faultKinds(values.faults as string | undefined),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] as string } : {}),
    keep: values.keep === true,
    help: values.help === true,
  };
}
