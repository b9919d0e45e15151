/**
 * The web dashboard: one self-contained page (no build step, no external assets) that reads the
 * dispatcher's own REST API — the cluster overview, TaskManagers, jobs with their tasks, and a
 * job's checkpoints and exceptions — and refreshes every two seconds. When the API answers 401
 * (REST_AUTH_TOKEN is set), it asks once for the token, keeps it in sessionStorage (gone with the
 * tab) and sends it as `Authorization: Bearer` on every call.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Runnel</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
  header { background: #1d2330; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { padding: 16px 24px; display: grid; gap: 16px; }
  section { background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; font-variant-numeric: tabular-nums; }
  .state { font-weight: 600; }
  .RUNNING { color: #1864ab; } .FINISHED { color: #2b8a3e; } .FAILED { color: #c92a2a; } .CANCELED { color: #868e96; }
  .cards { display: flex; gap: 16px; flex-wrap: wrap; }
  .card { background: #fff; border-radius: 6px; padding: 8px 16px; box-shadow: 0 1px 2px #0002; min-width: 120px; }
  .card b { display: block; font-size: 22px; }
  pre { white-space: pre-wrap; background: #fff5f5; padding: 8px; border-radius: 4px; }
  a { color: #1864ab; cursor: pointer; }
  #auth { display: flex; gap: 8px; align-items: center; }
  #auth[hidden] { display: none; }
</style>
</head>
<body>
<header><h1>Runnel</h1><span id="version"></span></header>
<main>
  <section id="auth-section" hidden>
    <form id="auth">
      <label for="token" id="auth-label">This cluster needs a REST token:</label>
      <input type="password" id="token" autocomplete="off" required>
      <button type="submit">Use token</button>
    </form>
  </section>
  <div class="cards" id="overview"></div>
  <section><h2>Jobs</h2><table id="jobs"></table></section>
  <section id="job" hidden></section>
  <section><h2>TaskManagers</h2><table id="tms"></table></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const TOKEN_KEY = 'runnel.restToken';
let asking = false;
async function get(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const r = await fetch(path, token ? { headers: { Authorization: 'Bearer ' + token } } : {});
  if (r.status === 401) {
    askForToken(token !== null);
    throw new Error('authentication required');
  }
  return r.json();
}
function askForToken(rejected) {
  if (asking) return;
  asking = true;
  $('auth-label').textContent = rejected ? 'The token was not accepted; REST token:' : 'This cluster needs a REST token:';
  $('auth-section').hidden = false;
  $('token').focus();
}
$('auth').onsubmit = (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  $('auth-section').hidden = true;
  asking = false;
  refresh().catch(() => undefined);
};
const secs = (ms) => (ms < 0 ? '-' : (ms / 1000).toFixed(1) + ' s');
let selected = null;
async function refresh() {
  const [o, tms, jobs] = await Promise.all([get('overview'), get('taskmanagers'), get('jobs/overview')]);
  $('version').textContent = 'version ' + o['runnel-version'];
  $('overview').innerHTML = [['TaskManagers', o.taskmanagers], ['Slots free', o['slots-available'] + ' / ' + o['slots-total']],
    ['Running', o['jobs-running']], ['Finished', o['jobs-finished']], ['Cancelled', o['jobs-cancelled']], ['Failed', o['jobs-failed']]]
    .map(([k, v]) => '<div class="card">' + k + '<b>' + v + '</b></div>').join('');
  $('tms').innerHTML = '<tr><th>id</th><th>address</th><th>slots</th><th>free</th><th>provider</th><th>dedicated to</th><th>last heartbeat</th></tr>' + tms.taskmanagers
    .map((t) => '<tr><td>' + esc(t.id) + '</td><td>' + esc(t.path) + '</td><td>' + t.slotsNumber + '</td><td>' + t.freeSlots + '</td><td>' + esc(t.provider) + '</td><td>' + esc(t.dedicatedTo || '–') + '</td><td>' + t.timeSinceLastHeartbeat + ' ms ago</td></tr>').join('');
  $('jobs').innerHTML = '<tr><th>job</th><th>name</th><th>state</th><th>started</th><th>duration</th></tr>' + jobs.jobs
    .map((j) => '<tr><td><a data-id="' + j.jid + '">' + j.jid + '</a></td><td>' + esc(j.name) + '</td><td class="state ' + j.state + '">' + j.state +
      '</td><td>' + new Date(j['start-time']).toLocaleTimeString() + '</td><td>' + secs(j.duration) + '</td></tr>').join('');
  for (const a of document.querySelectorAll('#jobs a')) a.onclick = () => { selected = a.dataset.id; refresh(); };
  if (selected) await showJob(selected);
}
async function showJob(id) {
  const [job, cps, ex] = await Promise.all([get('jobs/' + id), get('jobs/' + id + '/checkpoints').catch(() => null), get('jobs/' + id + '/exceptions')]);
  const section = $('job');
  section.hidden = false;
  section.innerHTML = '<h2>' + esc(job.name) + ' <span class="state ' + job.state + '">' + job.state + '</span></h2>' +
    (job.statusMessage ? '<p>' + esc(job.statusMessage) + '</p>' : '') +
    '<table><tr><th>task</th><th>parallelism</th><th>status</th><th>records in</th><th>records out</th><th>duration</th></tr>' +
    (job.vertices || []).map((v) => '<tr><td>' + esc(v.name) + '</td><td>' + v.parallelism + '</td><td class="state ' + v.status + '">' + v.status +
      '</td><td>' + v.metrics['read-records'] + '</td><td>' + v.metrics['write-records'] + '</td><td>' + secs(v.duration) + '</td></tr>').join('') + '</table>' +
    (cps && cps.counts ? '<p>checkpoints: ' + cps.counts.completed + ' completed, ' + cps.counts.failed + ' failed, ' + cps.counts.restored + ' restored' +
      (cps.latest && cps.latest.completed ? '; latest #' + cps.latest.completed.id + ' (' + Math.round(cps.latest.completed.state_size / 1024) + ' KiB, ' + cps.latest.completed.end_to_end_duration + ' ms)' : '') + '</p>' : '') +
    (ex['root-exception'] ? '<pre>' + esc(ex['root-exception']) + '</pre>' : '');
}
refresh().catch(() => undefined);
setInterval(() => refresh().catch(() => undefined), 2000);
</script>
</body>
</html>
`;
