/** The REST shapes the dashboard reads (Flink's, as the dispatcher serves them). Fields a sibling endpoint may lack are optional. */
export type JobState = 'INITIALIZING' | 'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'FINISHED' | 'RESTARTING' | 'SUSPENDED' | string;

export interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
  'runnel-version': string;
  'cluster-id'?: string;
}

export interface JobOverview {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
  duration: number;
  tasks: Record<string, number>;
}

export interface VertexMetrics {
  'read-records': number;
  'write-records': number;
  'read-bytes': number;
  'write-bytes': number;
}

export interface Subtask {
  subtask: number;
  status: string;
  attempt: number;
  'taskmanager-id': string;
  endpoint?: string;
  host?: string;
  'start-time': number;
  'end-time': number;
  duration: number;
  metrics?: Partial<VertexMetrics>;
}

export interface Vertex {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism?: number;
  status: string;
  'start-time': number;
  duration: number;
  tasks: Record<string, number>;
  metrics: VertexMetrics;
  subtasks?: Subtask[];
}

export interface PlanNode {
  id: string;
  parallelism: number;
  operator: string;
  description: string;
  inputs?: { num: number; id: string; ship_strategy: string; exchange?: string }[];
}

export interface JobDetails extends JobOverview {
  statusMessage?: string;
  now: number;
  timestamps: Record<string, number>;
  vertices: Vertex[];
  plan: { nodes?: PlanNode[]; type?: string };
  events?: { timestamp: number; attempt: number; subject: string; from: string | null; to: string }[];
}

export interface CheckpointStats {
  id: number;
  status: string;
  is_savepoint: boolean;
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  state_size: number;
  end_to_end_duration: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  external_path?: string;
  failure_message?: string;
}

export interface Checkpoints {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary?: Record<string, { min: number; max: number; avg: number }>;
  latest: { completed: CheckpointStats | null; savepoint: CheckpointStats | null; failed: CheckpointStats | null; restored: (CheckpointStats & { restore_timestamp?: number }) | null };
  history: CheckpointStats[];
}

export interface TaskManager {
  id: string;
  path: string;
  hostname?: string;
  pid?: number;
  slotsNumber: number;
  freeSlots: number;
  registeredAt?: number;
  timeSinceLastHeartbeat: number;
  hardware?: { cpuCores: number; physicalMemory: number; freeMemory?: number; managedMemory?: number };
  version?: string;
  provider?: string;
  dedicatedTo?: string | null;
  memoryConfiguration?: Record<string, number>;
  slots?: { index: number; slotId: string; state: string; allocationId?: string; jobId?: string }[];
}

/** One metric of Flink's `…/metrics?get=…` answers (aggregated: min/max/avg/sum). */
export interface MetricValue {
  id: string;
  value?: string | number;
  min?: number;
  max?: number;
  avg?: number;
  sum?: number;
}
