/**
 * Watermarks: Flink's per-vertex list (`<subtask>.currentInputWatermark`), and beyond Flink, every
 * vertex with an event-time operator (windows, timers, joins): its lowest input watermark (the
 * last one its subtasks reported, also once they finished), whether all its subtasks are done
 * (`finished`), and for each subtask still waiting the input channel that holds its watermark
 * back — the edge, the upstream vertex and subtask behind it, that channel's watermark, and
 * whether it is idle (marked idle, or silent for a while: nothing arrives on it). A vertex is
 * listed also when no subtask waits any more (a finished job's), so a client can tell "no
 * event-time operator" from "none waiting".
 */
import { inputChannels, type JobGraph } from '@runnel/dataflow';
import type { JobWatermarksReply, Reply } from '@runnel/protocol';
import type { JobMaster } from '../jobmaster/job-master';
import { metricValueString } from './metric-ids';
import { snapshotOf, type VertexEntry } from './job-metrics.views';
import { taskMetricValues, END_WATERMARK_VALUE, type TaskMetricSnapshot } from '@runnel/dataflow';

const EVENT_TIME_KINDS: ReadonlySet<string> = new Set(['window', 'keyed-process', 'keyed-co-process', 'interval-join']);

export function vertexWatermarks(entry: VertexEntry): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entry.executions) {
    const s = snapshotOf(e);
    if (s) out.set(`${e.subtaskIndex}.currentInputWatermark`, taskMetricValues(s as TaskMetricSnapshot).currentInputWatermark);
  }
  return out;
}

export function jobWatermarks(job: JobMaster): Reply<JobWatermarksReply> {
  const graph = job.jobGraph as JobGraph;
  const vertices = job.graph.jobVertices
    .filter(({ vertex }) => vertex.operators.some((o) => EVENT_TIME_KINDS.has(o.kind)))
    .map(({ vertex, executions }) => {
      const last = executions.flatMap((e) => {
        const s = snapshotOf(e);
        return s ? [taskMetricValues(s as TaskMetricSnapshot).currentInputWatermark] : [];
      });
      const finished = executions.length > 0 && executions.every((e) => e.state === 'FINISHED');
      const waiting = executions.flatMap((e) => {
        const s = snapshotOf(e);
        if (!s) return [];
        const wm = taskMetricValues(s as TaskMetricSnapshot).currentInputWatermark;
        if (wm >= END_WATERMARK_VALUE || e.state === 'FINISHED') return [];
        const hold = s.hold;
        const channel = hold ? inputChannels(graph, vertex.id, e.subtaskIndex).find((c) => c.channel === hold.channel) : undefined;
        const upstream = channel ? graph.vertices.find((v) => v.id === channel.sourceVertex) : undefined;
        return [
          {
            subtask: e.subtaskIndex,
            currentInputWatermark: metricValueString(wm),
            ...(hold && channel
              ? {
                  heldBackBy: {
                    channel: hold.channel,
                    input: channel.input,
                    edgeId: channel.edgeId,
                    upstreamVertex: { id: channel.sourceVertex, name: upstream?.name ?? channel.sourceVertex },
                    upstreamSubtask: channel.sourceSubtask,
                    watermark: metricValueString(hold.watermark),
                    idle: hold.idle,
                    silentMs: hold.silentMs,
                  },
                }
              : {}),
          },
        ];
      });
      return {
        id: vertex.id,
        name: vertex.name,
        operators: vertex.operators.filter((o) => EVENT_TIME_KINDS.has(o.kind)).map((o) => o.name),
        ...(last.length > 0 ? { watermark: metricValueString(Math.min(...last)) } : {}),
        finished,
        subtasks: waiting,
      };
    });
  return { vertices };
}
