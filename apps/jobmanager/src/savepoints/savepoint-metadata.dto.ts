/**
 * The schema of a savepoint directory's `_metadata.json`. A savepoint directory may come from
 * anywhere (copied, archived, written by hand), so its metadata is checked in full — job id
 * shape, vertex ids, subtask indexes within the recorded parallelism, operator uids, and every
 * state file a plain relative path that stays inside the savepoint directory after symlinks are
 * resolved — before a byte of state is read or written.
 */
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { CheckpointId, FieldViolation, IsJobId, IsStateHandle, JobId, JobGraphLimits, ValidationError, confinedJoin, relativePathProblem, validateMessage } from '@runnel/protocol';

export const SAVEPOINT_FORMAT = 'runnel-savepoint-1';
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_HANDLES = 100_000;
const ID_LENGTH = JobGraphLimits.idLength;

export class SavepointStateHandle {
  @IsString() @Length(1, ID_LENGTH) vertexId!: string;
  @IsInt() @Min(0) @Max(JobGraphLimits.maxParallelism - 1) subtaskIndex!: number;
  @IsString() @IsStateHandle() handle!: string;
  @Matches(SHA256, { message: 'checksum must be a sha256 in hex' }) checksum!: string;
  @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) size!: number;
}

export class SavepointRecord {
  @IsJobId() jobId!: JobId;
  // Within CheckpointIds' range (a positive integer), and the int column's.
  @IsInt() @Min(1) @Max(2_147_483_647) checkpointId!: CheckpointId;
  @IsInt() @Min(0) attempt!: number;
  @IsIn(['COMPLETED'], { message: 'status must be COMPLETED' }) status!: 'COMPLETED';
  @IsBoolean() isSavepoint!: boolean;
  @IsNumber() triggerTimestamp!: number;
  @IsOptional() @IsNumber() completedTimestamp!: number | null;
  @IsNumber() @Min(0) stateSize!: number;
  @IsArray() @ArrayMaxSize(MAX_HANDLES) @ValidateNested({ each: true }) @Type(() => SavepointStateHandle) handles!: SavepointStateHandle[];
  /** vertex id → its parallelism when the savepoint was taken. */
  @IsObject() parallelism!: Record<string, number>;
  /** vertex id → the uids of its operators. */
  @IsObject() operators!: Record<string, string[]>;
  @IsOptional() @IsString() @MaxLength(65_536) failureReason!: string | null;
  @IsOptional() @IsString() @MaxLength(4096) externalPath!: string | null;
}

export class SavepointMetadata {
  @IsIn([SAVEPOINT_FORMAT], { message: `format must be ${SAVEPOINT_FORMAT}` }) format!: typeof SAVEPOINT_FORMAT;
  @ValidateNested() @Type(() => SavepointRecord) record!: SavepointRecord;
  /** state handle → its file, relative to the savepoint directory. */
  @IsObject() files!: Record<string, string>;
}

/** The validated metadata, with the real path of each handle's state file. */
export interface CheckedSavepoint {
  readonly metadata: SavepointMetadata;
  readonly files: ReadonlyMap<SavepointStateHandle, string>;
}

/** Validates parsed `_metadata.json` of the savepoint directory `directory` (a real path), or throws a ValidationError saying why. */
export function checkSavepointMetadata(raw: unknown, directory: string): CheckedSavepoint {
  const where = `savepoint metadata ${directory}/_metadata.json`;
  const metadata = validateMessage(SavepointMetadata, raw, where);
  const { record } = metadata;
  const problems: FieldViolation[] = [];
  const bad = (field: string, problem: string) => problems.length < 20 && problems.push({ field, problems: [problem] });

  const vertices = Object.entries(record.parallelism);
  if (vertices.length > JobGraphLimits.vertices) bad('record.parallelism', `must have at most ${JobGraphLimits.vertices} vertices`);
  for (const [vertex, p] of vertices) {
    if (vertex.length === 0 || vertex.length > ID_LENGTH) bad('record.parallelism', `vertex ids must be 1 to ${ID_LENGTH} characters`);
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > JobGraphLimits.maxParallelism) bad(`record.parallelism.${vertex}`, `must be an integer from 1 to ${JobGraphLimits.maxParallelism}`);
  }
  const operators = Object.entries(record.operators);
  if (operators.length > JobGraphLimits.vertices) bad('record.operators', `must have at most ${JobGraphLimits.vertices} vertices`);
  for (const [vertex, uids] of operators) {
    if (vertex.length === 0 || vertex.length > ID_LENGTH) bad('record.operators', `vertex ids must be 1 to ${ID_LENGTH} characters`);
    if (!Array.isArray(uids) || uids.length > JobGraphLimits.operatorsPerVertex || !uids.every((u) => typeof u === 'string' && u.length >= 1 && u.length <= ID_LENGTH)) {
      bad(`record.operators.${vertex}`, `must be an array of at most ${JobGraphLimits.operatorsPerVertex} operator uids, each a string of 1 to ${ID_LENGTH} characters`);
    }
  }

  const files = new Map<SavepointStateHandle, string>();
  const seen = new Set<string>();
  const fileEntries = Object.keys(metadata.files);
  if (fileEntries.length > MAX_HANDLES) bad('files', `must have at most ${MAX_HANDLES} entries`);
  for (const [i, h] of record.handles.entries()) {
    const at = `record.handles.${i}`;
    const parallelism = Object.prototype.hasOwnProperty.call(record.parallelism, h.vertexId) ? record.parallelism[h.vertexId] : undefined;
    if (parallelism === undefined) bad(`${at}.vertexId`, `${JSON.stringify(h.vertexId)} is not a vertex of record.parallelism`);
    else if (h.subtaskIndex >= parallelism) bad(`${at}.subtaskIndex`, `must be below the vertex's parallelism ${parallelism}`);
    const key = `${h.vertexId}\u0000${h.subtaskIndex}`;
    if (seen.has(key)) bad(at, `the state of subtask ${h.subtaskIndex} of ${JSON.stringify(h.vertexId)} is listed twice`);
    seen.add(key);
    const file = Object.prototype.hasOwnProperty.call(metadata.files, h.handle) ? metadata.files[h.handle] : undefined;
    const shape = relativePathProblem(file);
    if (shape) {
      bad(`files.${h.handle}`, `the state file ${shape}`);
      continue;
    }
    const real = confinedJoin(directory, file!);
    if (!real) bad(`files.${h.handle}`, `the state file ${JSON.stringify(file)} must stay inside the savepoint directory (symlinks resolved)`);
    else files.set(h, real);
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field}: ${p.problems.join(', ')}`).join('; ');
    throw new ValidationError(`Invalid ${where}: ${summary}`, problems);
  }
  return { metadata, files };
}
