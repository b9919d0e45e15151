/** Every job and task state change, in order (`events` of `/jobs/:id`). */
import { fmtTime } from '../format';
import type { JobDetails } from '../types';
import { NotAvailable, Section, StateBadge } from '../components/ui';

export function JobTimelineTab({ job }: { job: JobDetails }) {
  const events = job.events ?? [];
  return (
    <Section title="Timeline">
      {events.length === 0 ? (
        <NotAvailable what="State changes" />
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th>time</th>
              <th>attempt</th>
              <th>what</th>
              <th>from</th>
              <th>to</th>
            </tr>
          </thead>
          <tbody>
            {[...events].reverse().slice(0, 300).map((e, i) => (
              <tr key={i}>
                <td>{fmtTime(e.timestamp)}</td>
                <td>{e.attempt}</td>
                <td>{e.subject}</td>
                <td>{e.from ? <StateBadge state={e.from} /> : '–'}</td>
                <td>
                  <StateBadge state={e.to} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
