/**
 * What the job graph shows of each vertex beyond `/jobs/:id`: records per second (the difference
 * of two polls), busy ratio and backpressure level (`/jobs/:id/vertices/:vid/backpressure`, or
 * the busyTimeMsPerSecond metric), and the lowest input watermark
 * (`/jobs/:id/vertices/:vid/watermarks`). An endpoint that answers 404 is not asked again for
 * this job: the graph shows "–" there.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, NotAvailableError } from '../api';
import type { JobDetails, MetricValue } from '../types';

export interface VertexLive {
  inRate?: number;
  outRate?: number;
  busy?: number;
  backpressure?: string;
  watermark?: number;
  /** When inRate/outRate were computed (ms): a new value means a new sample of the rates. */
  rateAt?: number;
}

interface BackpressureInfo {
  backpressureLevel?: string;
  subtasks?: { busyRatio?: number; ratio?: number; backpressureLevel?: string }[];
}

type Kind = 'backpressure' | 'metrics' | 'watermarks';

/** Flink's "no watermark yet" is Long.MIN_VALUE; anything below this is "none". */
const NO_WATERMARK = -9e15;

export function useVertexLive(jobId: string, job: JobDetails | undefined, running: boolean): Map<string, VertexLive> {
  const [live, setLive] = useState(new Map<string, VertexLive>());
  const previous = useRef(new Map<string, { at: number; read: number; write: number }>());
  const missing = useRef(new Set<Kind>());

  // Rates: every new job poll.
  useEffect(() => {
    if (!job) return;
    setLive((old) => {
      const next = new Map(old);
      for (const v of job.vertices ?? []) {
        const prev = previous.current.get(v.id);
        const cur = { at: job.now ?? Date.now(), read: v.metrics?.['read-records'] ?? 0, write: v.metrics?.['write-records'] ?? 0 };
        const entry = { ...(next.get(v.id) ?? {}) };
        if (prev && cur.at > prev.at) {
          const secs = (cur.at - prev.at) / 1000;
          entry.inRate = Math.max(0, (cur.read - prev.read) / secs);
          entry.outRate = Math.max(0, (cur.write - prev.write) / secs);
          entry.rateAt = cur.at;
        }
        if (!prev || cur.at > prev.at) previous.current.set(v.id, cur);
        next.set(v.id, entry);
      }
      return next;
    });
  }, [job?.now]);

  // Backpressure, busy time and watermarks: their own, slower, polls while the job runs.
  const ids = (job?.vertices ?? []).map((v) => v.id).join(',');
  useEffect(() => {
    if (!ids || !running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async <T>(kind: Kind, path: string): Promise<T | undefined> => {
      if (missing.current.has(kind)) return undefined;
      try {
        return await api.get<T>(path);
      } catch (error) {
        if (error instanceof NotAvailableError) missing.current.add(kind);
        return undefined;
      }
    };
    const poll = async () => {
      const base = `jobs/${jobId}/vertices/`;
      const results = await Promise.all(
        ids.split(',').map(async (vid) => {
          const bp = await ask<BackpressureInfo>('backpressure', `${base}${vid}/backpressure`);
          let busy = bp?.subtasks?.length ? Math.max(...bp.subtasks.map((s) => s.busyRatio ?? 0)) : undefined;
          if (busy === undefined) {
            const m = await ask<MetricValue[]>('metrics', `${base}${vid}/subtasks/metrics?get=busyTimeMsPerSecond&agg=max`);
            const max = m?.find((x) => x.id === 'busyTimeMsPerSecond')?.max;
            if (max !== undefined) busy = max / 1000;
          }
          const wm = await ask<MetricValue[]>('watermarks', `${base}${vid}/watermarks`);
          const inputs = (wm ?? []).filter((w) => w.id.endsWith('currentInputWatermark')).map((w) => Number(w.value));
          const watermark = inputs.length ? Math.min(...inputs) : undefined;
          return [vid, { busy, backpressure: bp?.backpressureLevel, watermark: watermark !== undefined && watermark > NO_WATERMARK ? watermark : watermark === undefined ? undefined : Number.NEGATIVE_INFINITY }] as const;
        }),
      );
      if (stopped) return;
      setLive((old) => {
        const next = new Map(old);
        for (const [vid, r] of results) next.set(vid, { ...(next.get(vid) ?? {}), ...r });
        return next;
      });
      if (missing.current.size < 3) timer = setTimeout(poll, 3000);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId, ids, running]);
  return live;
}
