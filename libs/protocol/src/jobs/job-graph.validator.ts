/**
 * The JobGraph as it crosses the wire (submitJob, checkSavepoint): plain JSON that the JobManager
 * turns into executions, so its shape and sizes are checked before anything is made of it —
 * vertices and edges, ids and names, parallelism within 1..min(maxParallelism, the JobManager's
 * MAX_JOB_PARALLELISM), maxParallelism within 1..32768 (Flink's bound), edges between existing
 * vertices, chains that are trees (each operator fed by an earlier one of its vertex), edges that
 * leave from an operator of their source vertex. Unknown fields are left alone (they are not used); sizes are bounded.
 */
import { ValidateBy, ValidationOptions } from 'class-validator';
import { FieldViolation, ValidationError } from '../errors/runnel-errors';

export const JobGraphLimits = {
  /** Flink's upper bound of maxParallelism (the number of key groups). */
  maxParallelism: 32_768,
  /** The JobManager's MAX_JOB_PARALLELISM default. */
  defaultMaxJobParallelism: 1024,
  vertices: 10_000,
  edges: 100_000,
  operatorsPerVertex: 1_000,
  /** Sum of the vertices' parallelism: executions of one attempt. */
  subtasks: 100_000,
  idLength: 255,
  nameLength: 255,
  /** A vertex is named after its chain ("A -> B -> C"), so it may be longer than one operator's name. */
  vertexNameLength: 4096,
  kindLength: 64,
  operatorInputs: 16,
  /** JSON size of one operator's config, of the checkpointing and of the restart strategy config. */
  configBytes: 65_536,
} as const;

export const PARTITIONERS = ['forward', 'hash', 'rebalance', 'broadcast', 'shuffle'] as const;
const MAX_VIOLATIONS = 20;

export interface JobGraphCheckOptions {
  /** Largest parallelism of a vertex (the JobManager's MAX_JOB_PARALLELISM); at most 32768. */
  readonly maxJobParallelism?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isText = (v: unknown, max: number, min = 0): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Every problem of `graph` as a JobGraph (at most 20), with dotted field paths under `field`. */
export function jobGraphViolations(graph: unknown, options: JobGraphCheckOptions = {}, field = 'jobGraph'): FieldViolation[] {
  const limit = Math.min(options.maxJobParallelism ?? JobGraphLimits.maxParallelism, JobGraphLimits.maxParallelism);
  const out: FieldViolation[] = [];
  const bad = (path: string, problem: string): boolean => {
    if (out.length < MAX_VIOLATIONS) out.push({ field: `${field}${path}`, problems: [problem] });
    return out.length >= MAX_VIOLATIONS;
  };
  if (!isObject(graph)) {
    bad('', 'must be a JSON object');
    return out;
  }
  if (!isText(graph['jobName'], JobGraphLimits.nameLength)) bad('.jobName', `must be a string of at most ${JobGraphLimits.nameLength} characters`);

  const config = graph['config'];
  if (!isObject(config)) bad('.config', 'must be an object');
  else {
    if (!isInt(config['maxParallelism'], 1, JobGraphLimits.maxParallelism)) bad('.config.maxParallelism', `must be an integer from 1 to ${JobGraphLimits.maxParallelism}`);
    if (!isInt(config['parallelism'], 1, limit)) bad('.config.parallelism', `must be an integer from 1 to ${limit} (MAX_JOB_PARALLELISM)`);
    if (config['bufferTimeoutMs'] !== undefined && !isInt(config['bufferTimeoutMs'], -1, 3_600_000)) bad('.config.bufferTimeoutMs', 'must be -1 or an integer from 0 to 3600000');
    if (config['autoWatermarkIntervalMs'] !== undefined && !isInt(config['autoWatermarkIntervalMs'], 0, 3_600_000)) bad('.config.autoWatermarkIntervalMs', 'must be an integer from 0 to 3600000');
    for (const key of ['checkpointing', 'restartStrategy']) {
      if (config[key] === undefined) continue;
      if (!isObject(config[key])) bad(`.config.${key}`, 'must be an object');
      else if (jsonSize(config[key]) > JobGraphLimits.configBytes) bad(`.config.${key}`, `must be at most ${JobGraphLimits.configBytes} bytes of JSON`);
    }
  }

  const vertices = graph['vertices'];
  const edges = graph['edges'];
  const ids = new Map<string, number>();
  const uids = new Set<string>();
  /** Operator uids of each vertex, for the edges' sourceOperator. */
  const operatorsOf = new Map<string, Set<string>>();
  if (!Array.isArray(vertices) || vertices.length === 0 || vertices.length > JobGraphLimits.vertices) {
    bad('.vertices', `must be an array of 1 to ${JobGraphLimits.vertices} vertices`);
  } else {
    let subtasks = 0;
    for (const [i, v] of vertices.entries()) {
      const at = `.vertices.${i}`;
      if (!isObject(v)) {
        if (bad(at, 'must be an object')) return out;
        continue;
      }
      const id = v['id'];
      if (!isText(id, JobGraphLimits.idLength, 1)) bad(`${at}.id`, `must be a string of 1 to ${JobGraphLimits.idLength} characters`);
      else if (ids.has(id)) bad(`${at}.id`, `must be unique (${JSON.stringify(id)} is also vertex ${ids.get(id)})`);
      if (!isText(v['name'], JobGraphLimits.vertexNameLength)) bad(`${at}.name`, `must be a string of at most ${JobGraphLimits.vertexNameLength} characters`);
      const maxParallelism = v['maxParallelism'];
      const maxOk = isInt(maxParallelism, 1, JobGraphLimits.maxParallelism);
      if (!maxOk) bad(`${at}.maxParallelism`, `must be an integer from 1 to ${JobGraphLimits.maxParallelism}`);
      const bound = maxOk ? Math.min(maxParallelism, limit) : limit;
      const parallelism = v['parallelism'];
      if (!isInt(parallelism, 1, bound)) bad(`${at}.parallelism`, `must be an integer from 1 to ${bound} (min of maxParallelism and MAX_JOB_PARALLELISM ${limit})`);
      else subtasks += parallelism;
      if (!isText(v['slotSharingGroup'], JobGraphLimits.nameLength)) bad(`${at}.slotSharingGroup`, `must be a string of at most ${JobGraphLimits.nameLength} characters`);
      if (typeof v['isSource'] !== 'boolean') bad(`${at}.isSource`, 'must be a boolean');
      if (v['bufferTimeoutMs'] !== undefined && !isInt(v['bufferTimeoutMs'], -1, 3_600_000)) bad(`${at}.bufferTimeoutMs`, 'must be -1 or an integer from 0 to 3600000');
      const operators = v['operators'];
      if (!Array.isArray(operators) || operators.length === 0 || operators.length > JobGraphLimits.operatorsPerVertex) {
        bad(`${at}.operators`, `must be an array of 1 to ${JobGraphLimits.operatorsPerVertex} operators`);
      } else {
        const own = new Set<string>();
        if (typeof id === 'string' && !ids.has(id)) operatorsOf.set(id, own);
        for (const [j, o] of operators.entries()) {
          const ot = `${at}.operators.${j}`;
          if (!isObject(o)) {
            if (bad(ot, 'must be an object')) return out;
            continue;
          }
          const uid = o['uid'];
          if (!isText(uid, JobGraphLimits.idLength, 1)) bad(`${ot}.uid`, `must be a string of 1 to ${JobGraphLimits.idLength} characters`);
          else if (uids.has(uid)) bad(`${ot}.uid`, `must be unique in the job (${JSON.stringify(uid)} is used twice)`);
          else {
            uids.add(uid);
            own.add(uid);
          }
          if (!isText(o['name'], JobGraphLimits.nameLength)) bad(`${ot}.name`, `must be a string of at most ${JobGraphLimits.nameLength} characters`);
          if (!isText(o['kind'], JobGraphLimits.kindLength, 1)) bad(`${ot}.kind`, `must be a string of 1 to ${JobGraphLimits.kindLength} characters`);
          if (!isInt(o['inputs'], 0, JobGraphLimits.operatorInputs)) bad(`${ot}.inputs`, `must be an integer from 0 to ${JobGraphLimits.operatorInputs}`);
          if (typeof o['keyed'] !== 'boolean') bad(`${ot}.keyed`, 'must be a boolean');
          if (!isObject(o['config'])) bad(`${ot}.config`, 'must be an object');
          else if (jsonSize(o['config']) > JobGraphLimits.configBytes) bad(`${ot}.config`, `must be at most ${JobGraphLimits.configBytes} bytes of JSON`);
          // The list is topological: an operator is fed by one before it (the head by the inputs).
          if (o['chainedFrom'] !== undefined && (j === 0 || !isInt(o['chainedFrom'], 0, j - 1)))
            bad(`${ot}.chainedFrom`, j === 0 ? 'must be absent on the head operator' : `must be the index of an earlier operator of the vertex (0 to ${j - 1})`);
          if (out.length >= MAX_VIOLATIONS) return out;
        }
      }
      if (typeof id === 'string' && !ids.has(id)) ids.set(id, i);
      if (out.length >= MAX_VIOLATIONS) return out;
    }
    if (subtasks > JobGraphLimits.subtasks) bad('.vertices', `must have at most ${JobGraphLimits.subtasks} subtasks in all (sum of parallelism), has ${subtasks}`);
  }

  if (!Array.isArray(edges) || edges.length > JobGraphLimits.edges) {
    bad('.edges', `must be an array of at most ${JobGraphLimits.edges} edges`);
  } else {
    const parallelismOf = (id: unknown) => (Array.isArray(vertices) && typeof id === 'string' && ids.has(id) ? (vertices[ids.get(id)!] as Json)['parallelism'] : undefined);
    for (const [i, e] of edges.entries()) {
      const at = `.edges.${i}`;
      if (!isObject(e)) {
        if (bad(at, 'must be an object')) return out;
        continue;
      }
      if (!isText(e['id'], JobGraphLimits.idLength, 1)) bad(`${at}.id`, `must be a string of 1 to ${JobGraphLimits.idLength} characters`);
      for (const end of ['source', 'target']) {
        const ref = e[end];
        if (!isText(ref, JobGraphLimits.idLength, 1) || !ids.has(ref)) bad(`${at}.${end}`, 'must be the id of a vertex of the graph');
      }
      if (!isInt(e['targetInput'], 0, JobGraphLimits.operatorInputs - 1)) bad(`${at}.targetInput`, `must be an integer from 0 to ${JobGraphLimits.operatorInputs - 1}`);
      if (!PARTITIONERS.includes(e['partitioner'] as (typeof PARTITIONERS)[number])) bad(`${at}.partitioner`, `must be one of ${PARTITIONERS.join(', ')}`);
      else if (e['partitioner'] === 'forward') {
        const [from, to] = [parallelismOf(e['source']), parallelismOf(e['target'])];
        if (from !== undefined && to !== undefined && from !== to) bad(`${at}.partitioner`, `a forward edge must connect vertices of equal parallelism (${String(from)} and ${String(to)})`);
      }
      if (e['sideOutputTag'] !== undefined && !isText(e['sideOutputTag'], JobGraphLimits.nameLength)) bad(`${at}.sideOutputTag`, `must be a string of at most ${JobGraphLimits.nameLength} characters`);
      const from = e['sourceOperator'];
      if (from !== undefined) {
        const own = typeof e['source'] === 'string' ? operatorsOf.get(e['source']) : undefined;
        if (!isText(from, JobGraphLimits.idLength, 1)) bad(`${at}.sourceOperator`, `must be a string of 1 to ${JobGraphLimits.idLength} characters`);
        else if (own && !own.has(from)) bad(`${at}.sourceOperator`, `must be the uid of an operator of the source vertex (${JSON.stringify(from)} is not)`);
      }
      if (e['bufferTimeoutMs'] !== undefined && !isInt(e['bufferTimeoutMs'], -1, 3_600_000)) bad(`${at}.bufferTimeoutMs`, 'must be -1 or an integer from 0 to 3600000');
      if (out.length >= MAX_VIOLATIONS) return out;
    }
  }
  return out;
}

/** Throws a ValidationError naming every bad field of `graph`. */
export function assertValidJobGraph(graph: unknown, options: JobGraphCheckOptions = {}, field = 'jobGraph'): void {
  const violations = jobGraphViolations(graph, options, field);
  if (violations.length === 0) return;
  const summary = violations.map((v) => `${v.field}: ${v.problems.join(', ')}`).join('; ');
  throw new ValidationError(`Invalid ${field}: ${summary}`, violations);
}

/** class-validator decorator: the property is a JobGraph (bounded by Flink's 32768, not the JobManager's setting). */
export function IsJobGraph(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJobGraph',
      validator: {
        validate: (value: unknown) => jobGraphViolations(value).length === 0,
        defaultMessage: (args) =>
          jobGraphViolations(args?.value, {}, args?.property ?? 'jobGraph')
            .slice(0, 5)
            .map((v) => `${v.field} ${v.problems.join(', ')}`)
            .join('; '),
      },
    },
    validationOptions,
  );
}
