/**
 * A job's checkpoints: counts, summary (min/avg/max), the latest ones, the history (a click opens
 * `/jobs/:id/checkpoints/details/:cid` with each vertex's acknowledgements), sizes and durations
 * over time, the configuration, and the job's savepoints (disposable through `/savepoint-disposal`).
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { fmtBytes, fmtDuration, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { Checkpoints, CheckpointStats } from '../types';
import { TimeChart } from '../components/time-chart';
import { KeyValues, Loaded, Section, StateBadge } from '../components/ui';

export function JobCheckpointsTab({ jobId, running, checkpointId }: { jobId: string; running: boolean; checkpointId?: string }) {
  const cps = usePoll<Checkpoints>(`jobs/${jobId}/checkpoints`, running ? 2000 : 0);
  const config = usePoll<Record<string, unknown>>(`jobs/${jobId}/checkpoints/config`, 0);
  return (
    <>
      <Section title="Checkpoints">
        <Loaded res={cps} what="Checkpoint statistics">
          {(c) => (
            <>
              <div class="stats" data-testid="checkpoint-counts">
                {Object.entries(c.counts).map(([k, v]) => (
                  <div class="stat" key={k}>
                    <span>{k.replace('_', ' ')}</span>
                    <b>{v}</b>
                  </div>
                ))}
              </div>
              <Latest c={c} />
              {c.summary && <Summary summary={c.summary} />}
              <HistoryChart history={c.history} />
            </>
          )}
        </Loaded>
      </Section>
      {checkpointId && <CheckpointDetails jobId={jobId} checkpointId={checkpointId} />}
      <Section title="History">
        <Loaded res={cps} what="Checkpoint history">
          {(c) => <History jobId={jobId} history={c.history} />}
        </Loaded>
      </Section>
      <Savepoints jobId={jobId} />
      <Section title="Configuration">
        <Loaded res={config} what="Checkpoint configuration">
          {(cfg) => <KeyValues entries={Object.entries(cfg).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])} />}
        </Loaded>
      </Section>
    </>
  );
}

function Latest({ c }: { c: Checkpoints }) {
  const rows: [string, CheckpointStats | null][] = [
    ['latest completed', c.latest.completed],
    ['latest savepoint', c.latest.savepoint],
    ['latest failed', c.latest.failed],
    ['restored', c.latest.restored],
  ];
  return (
    <KeyValues
      entries={rows.map(([k, cp]) => [
        k,
        cp ? `#${cp.id} at ${fmtTime(cp.trigger_timestamp ?? (cp as { restore_timestamp?: number }).restore_timestamp)}${cp.state_size !== undefined ? `, ${fmtBytes(cp.state_size)}` : ''}${cp.end_to_end_duration !== undefined ? `, ${fmtDuration(cp.end_to_end_duration)}` : ''}${cp.external_path ? `, ${cp.external_path}` : ''}${cp.failure_message ? ` — ${cp.failure_message}` : ''}` : 'none',
      ])}
    />
  );
}

function Summary({ summary }: { summary: Record<string, { min: number; max: number; avg: number }> }) {
  const fmt = (k: string, v: number) => (k.includes('size') ? fmtBytes(v) : fmtDuration(v));
  return (
    <table class="grid summary">
      <thead>
        <tr>
          <th>summary</th>
          <th>min</th>
          <th>average</th>
          <th>max</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(summary).map(([k, s]) => (
          <tr key={k}>
            <td>{k.replace(/_/g, ' ')}</td>
            <td>{fmt(k, s.min)}</td>
            <td>{fmt(k, s.avg)}</td>
            <td>{fmt(k, s.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HistoryChart({ history }: { history: CheckpointStats[] }) {
  const data = useMemo(() => {
    const done = [...history].filter((h) => h.status === 'COMPLETED').sort((a, b) => a.trigger_timestamp - b.trigger_timestamp);
    return {
      times: done.map((h) => h.trigger_timestamp / 1000),
      series: [{ label: 'end-to-end duration (ms)', values: done.map((h) => h.end_to_end_duration), colour: '#e8590c' }],
    };
  }, [history.map((h) => h.id + h.status).join(',')]);
  if (data.times.length < 2) return null;
  return <TimeChart data={data} height={130} testId="checkpoint-chart" />;
}

const SHOWN = 20;

function History({ jobId, history }: { jobId: string; history: CheckpointStats[] }) {
  const [all, setAll] = useState(false);
  if (history.length === 0) return <p class="muted">No checkpoint yet.</p>;
  const shown = all ? history : history.slice(0, SHOWN);
  return (
    <>
    <table class="grid checkpoints-table">
      <thead>
        <tr>
          <th>id</th>
          <th>status</th>
          <th>type</th>
          <th>acknowledged</th>
          <th>triggered</th>
          <th>latest ack</th>
          <th>end to end</th>
          <th>state size</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((h) => (
          <tr key={h.id}>
            <td>
              <a href={`#/jobs/${jobId}/checkpoints/${h.id}`}>#{h.id}</a>
            </td>
            <td>
              <StateBadge state={h.status} />
            </td>
            <td>{h.is_savepoint ? 'savepoint' : 'checkpoint'}</td>
            <td>
              {h.num_acknowledged_subtasks}/{h.num_subtasks}
            </td>
            <td>{fmtTime(h.trigger_timestamp)}</td>
            <td>{fmtTime(h.latest_ack_timestamp)}</td>
            <td>{fmtDuration(h.end_to_end_duration)}</td>
            <td>{fmtBytes(h.state_size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {history.length > SHOWN && (
      <button class="small-button" onClick={() => setAll(!all)}>
        {all ? `Show the latest ${SHOWN}` : `Show all ${history.length}`}
      </button>
    )}
    </>
  );
}

interface CheckpointDetail extends CheckpointStats {
  tasks?: Record<string, { id?: string; status?: string; latest_ack_timestamp?: number; state_size?: number; end_to_end_duration?: number; num_subtasks?: number; num_acknowledged_subtasks?: number }>;
}

function CheckpointDetails({ jobId, checkpointId }: { jobId: string; checkpointId: string }) {
  const detail = usePoll<CheckpointDetail>(`jobs/${jobId}/checkpoints/details/${encodeURIComponent(checkpointId)}`, 0);
  return (
    <Section title={`Checkpoint #${checkpointId}`} id="checkpoint-details">
      <Loaded res={detail} what={`Details of checkpoint #${checkpointId}`}>
        {(d) => (
          <>
            <KeyValues
              entries={[
                ['status', <StateBadge state={d.status} />],
                ['type', d.is_savepoint ? 'savepoint' : 'checkpoint'],
                ['triggered', fmtTime(d.trigger_timestamp)],
                ['end to end', fmtDuration(d.end_to_end_duration)],
                ['state size', fmtBytes(d.state_size)],
                ['acknowledged', `${d.num_acknowledged_subtasks}/${d.num_subtasks}`],
                ['location', d.external_path ?? '–'],
              ]}
            />
            {d.tasks && (
              <table class="grid">
                <thead>
                  <tr>
                    <th>vertex</th>
                    <th>status</th>
                    <th>acknowledged</th>
                    <th>latest ack</th>
                    <th>end to end</th>
                    <th>state size</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(d.tasks).map(([vid, t]) => (
                    <tr key={vid}>
                      <td>{vid}</td>
                      <td>{t.status ? <StateBadge state={t.status} /> : '–'}</td>
                      <td>
                        {t.num_acknowledged_subtasks ?? '–'}/{t.num_subtasks ?? '–'}
                      </td>
                      <td>{fmtTime(t.latest_ack_timestamp)}</td>
                      <td>{fmtDuration(t.end_to_end_duration)}</td>
                      <td>{fmtBytes(t.state_size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
    </Section>
  );
}

interface SavepointEntry {
  path: string;
  'job-id': string;
  'checkpoint-id': number;
  timestamp: number;
  'state-size': number;
  'external-path'?: string | null;
}

function Savepoints({ jobId }: { jobId: string }) {
  const all = usePoll<{ savepoints: SavepointEntry[] }>('savepoints', 3000);
  const [note, setNote] = useState('');
  const dispose = async (path: string) => {
    try {
      await api.post('savepoint-disposal', { 'savepoint-path': path });
      setNote(`Disposal of ${path} requested.`);
    } catch (error) {
      setNote(`Disposal of ${path}: ${(error as Error).message}`);
    }
    all.reload();
  };
  return (
    <Section title="Savepoints">
      {note && <p class="small">{note}</p>}
      <Loaded res={all} what="Savepoints">
        {(s) => {
          const mine = s.savepoints.filter((x) => x['job-id'] === jobId);
          if (mine.length === 0) return <p class="muted">No savepoint of this job.</p>;
          return (
            <table class="grid savepoints-table">
              <thead>
                <tr>
                  <th>path</th>
                  <th>checkpoint</th>
                  <th>taken</th>
                  <th>size</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {mine.map((x) => (
                  <tr key={x.path} data-savepoint={x.path}>
                    <td class="mono">{x['external-path'] ?? x.path}</td>
                    <td>#{x['checkpoint-id']}</td>
                    <td>{fmtTime(x.timestamp)}</td>
                    <td>{fmtBytes(x['state-size'])}</td>
                    <td>
                      <button class="small-button" onClick={() => dispose(x.path)}>
                        Dispose
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </Section>
  );
}
