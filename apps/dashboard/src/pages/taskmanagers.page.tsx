/** TaskManagers: every one with its slots, and one in detail (slots, memory, metrics, logs). */
import { fmtBytes, fmtDuration, fmtTime } from '../format';
import { usePoll } from '../hooks';
import type { TaskManager } from '../types';
import { Loaded, Section } from '../components/ui';

export function TaskManagersPage() {
  const tms = usePoll<{ taskmanagers: TaskManager[] }>('taskmanagers');
  return (
    <div class="page" data-page="taskmanagers">
      <Section title="TaskManagers">
        <Loaded res={tms} what="TaskManagers">
          {(t) =>
            t.taskmanagers.length === 0 ? (
              <p class="muted">No TaskManager is registered.</p>
            ) : (
              <table class="grid taskmanagers-table">
                <thead>
                  <tr>
                    <th>id</th>
                    <th>address</th>
                    <th>slots</th>
                    <th>free</th>
                    <th>CPU cores</th>
                    <th>memory</th>
                    <th>provider</th>
                    <th>dedicated to</th>
                    <th>registered</th>
                    <th>last heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {t.taskmanagers.map((tm) => (
                    <tr key={tm.id} data-tm-id={tm.id}>
                      <td class="mono">
                        <a href={`#/taskmanagers/${encodeURIComponent(tm.id)}`}>{tm.id}</a>
                      </td>
                      <td class="mono">{tm.path}</td>
                      <td>
                        <SlotDots total={tm.slotsNumber} free={tm.freeSlots} />
                      </td>
                      <td>{tm.freeSlots}</td>
                      <td>{tm.hardware?.cpuCores ?? '–'}</td>
                      <td>{fmtBytes(tm.hardware?.physicalMemory)}</td>
                      <td>{tm.provider ?? '–'}</td>
                      <td class="mono">{tm.dedicatedTo ?? '–'}</td>
                      <td>{fmtTime(tm.registeredAt)}</td>
                      <td>{fmtDuration(tm.timeSinceLastHeartbeat)} ago</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </Section>
    </div>
  );
}

export function SlotDots({ total, free }: { total: number; free: number }) {
  return (
    <span class="slot-dots" title={`${total - free} of ${total} in use`}>
      {Array.from({ length: total }, (_, i) => (
        <i key={i} class={i < total - free ? 'used' : 'free'} />
      ))}
    </span>
  );
}
