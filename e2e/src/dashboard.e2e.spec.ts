/**
 * The web dashboard in a real browser: Debian's Chromium driven by playwright-core, against a real
 * cluster (NATS, Postgres, ResourceManager, JobManager, dispatcher, 2 TaskManagers) with a REST
 * token. In the browser: enter the token, upload a job module, run it with arguments and a
 * parallelism, open its graph, see records flow, take a savepoint, cancel. Every effect is checked
 * through the REST API (or the job's output directory), not through the page alone. Screenshots
 * of the main pages go to e2e/artifacts/dashboard/ and are checked not to be blank.
 *
 * Then the layout, in the page's own geometry: every line of every job-graph node lies inside its
 * box (Nexmark q5's long chained names), the time charts' y-axis labels are not cut at the
 * chart's left edge (the canvas pixels of the axis: no ink in its first column), and the
 * Watermarks tab of the FINISHED q5 (event-time windows) names its event-time operators.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bundleJobArtifact } from '@runnel/dataflow';
import { TestCluster } from './cluster/test-cluster';
import { httpJson, waitFor } from './support';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = `dash-${Math.random().toString(36).slice(2)}-token`;
const ARTIFACTS = resolve(__dirname, '../artifacts/dashboard');
const FIXTURE = resolve(__dirname, 'fixtures/slow-counter.job.mjs');
const EXAMPLES = resolve(__dirname, '../../examples');

interface Vertex {
  id: string;
  name: string;
  parallelism: number;
  metrics: Record<string, number>;
}

describe('the web dashboard in Chromium', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let work: string;
  const consoleProblems: string[] = [];
  let tokenEntered = false;
  const rest = async <T>(path: string): Promise<{ status: number; body: T }> => httpJson<T>(`${cluster.url}/${path}`, { token: TOKEN, timeoutMs: 15_000 });

  beforeAll(async () => {
    // Fails here, naming the path, when Chromium is missing: .ci/run installs it with apt.
    expect(existsSync(CHROMIUM)).toBe(true);
    work = mkdtempSync(join(tmpdir(), 'runnel-dashboard-e2e-'));
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const [c, b] = await Promise.all([
      TestCluster.start({ taskManagers: 2, slots: 2, restToken: TOKEN }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    cluster = c;
    browser = b;
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => consoleProblems.push(`page error: ${e.message}`));
    // A CSP violation or a script error is a bug; the 404s of endpoints this cluster lacks are
    // not, nor the 401s before the token was entered (they are what makes the page ask for it).
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() !== 'error' || /status of 404/.test(text) || (!tokenEntered && /status of 401/.test(text))) return;
      consoleProblems.push(text);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A screenshot of what the page shows now, checked not blank: enough bytes and rendered text. */
  async function screenshot(name: string): Promise<void> {
    const file = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file });
    const text = await page.locator('main').innerText();
    expect(text.trim().length).toBeGreaterThan(100);
    // A blank 1280×820 PNG compresses to a few kB; a page of tables, text and SVG does not.
    expect(statSync(file).size).toBeGreaterThan(15_000);
  }

  it('enters the token, uploads and runs a job, shows its graph with records flowing, takes a savepoint, cancels', async () => {
    // The page and its files are served without a token; its API calls need one.
    await page.goto(cluster.url + '/');
    await page.locator('#token').fill(TOKEN);
    await page.locator('.token-form button[type=submit]').click();
    tokenEntered = true;
    const overview = (await rest<{ taskmanagers: number; 'slots-total': number }>('overview')).body;
    await expectText(page.locator('[data-testid=stat-taskmanagers] b'), String(overview.taskmanagers));
    await expectText(page.locator('[data-testid=stat-slots] b'), `${overview['slots-total']} / ${overview['slots-total']}`);
    await screenshot('overview');

    // Upload a bundled job module through the form, then run it with arguments and parallelism 2.
    const artifact = await bundleJobArtifact(FIXTURE);
    const moduleFile = join(work, 'slow-counter.dashboard.mjs');
    writeFileSync(moduleFile, artifact.bytes);
    await page.locator('[data-nav=submit]').click();
    await page.locator('input[name=jarfile]').setInputFiles(moduleFile);
    await page.locator('[data-action=upload]').click();
    await expectText(page.locator('[data-testid=upload-status]'), 'Uploaded slow-counter.dashboard.mjs');
    const jars = (await rest<{ files: { id: string; name: string }[] }>('jars')).body.files;
    expect(jars.map((j) => j.name)).toContain('slow-counter.dashboard.mjs');

    const output = join(work, 'out') + '/';
    await page.locator('input[name=programArgs]').fill(`--count 100000000 --per-poll 5 --output ${output}`);
    await page.locator('input[name=parallelism]').fill('2');
    await page.locator('[data-action=run]').click();
    await page.waitForURL(/#\/jobs\/[0-9a-f]{32}$/);
    const jobId = /#\/jobs\/([0-9a-f]{32})$/.exec(page.url())![1];

    // The run took the arguments and the parallelism: the keyed vertex runs 2 subtasks, and the
    // sink writes into the output directory named in the arguments.
    const job = await cluster.waitForJob(jobId, ['RUNNING'], 60_000);
    const vertices = job.vertices as Vertex[];
    expect(vertices.find((v) => v.name.startsWith('Sum'))?.parallelism).toBe(2);
    await waitFor(() => existsSync(output) && readdirSync(output).length > 0, { description: `files in ${output}`, timeoutMs: 30_000 });

    // The graph: one SVG node per vertex of the job, one edge per input of the plan.
    const nodes = page.locator('svg.job-graph g.graph-node');
    await waitFor(async () => (await nodes.count()) === vertices.length, { description: `${vertices.length} graph nodes`, timeoutMs: 20_000 });
    const plan = (await rest<{ plan: { nodes: { inputs?: unknown[] }[] } }>(`jobs/${jobId}`)).body.plan;
    const inputs = plan.nodes.reduce((n, x) => n + (x.inputs?.length ?? 0), 0);
    expect(await page.locator('svg.job-graph g.graph-edge').count()).toBe(inputs);
    for (const v of vertices) await expect(page.locator(`svg.job-graph g.graph-node[data-vertex-id="${v.id}"]`).count()).resolves.toBe(1);

    // Records flow: the source's records out, as the page shows them, grow; so does REST's count.
    const source = vertices.find((v) => v.name.startsWith('Slow numbers'))!;
    const cell = page.locator(`tr[data-vertex-id="${source.id}"] td[data-metric=write-records]`);
    const shown = async () => Number((await cell.innerText()).replace(/[^0-9]/g, '') || '0');
    const first = await shown();
    const restFirst = (await cluster.job(jobId)).vertices.find((v) => v.id === source.id)!.metrics['write-records'];
    await waitFor(async () => (await shown()) > first, { description: 'the records count on the page to grow', timeoutMs: 20_000 });
    expect((await cluster.job(jobId)).vertices.find((v) => v.id === source.id)!.metrics['write-records']).toBeGreaterThan(restFirst);
    // The graph node shows a positive output rate of the source.
    await waitFor(async () => /out [1-9][0-9,.]*\/s/.test(await page.locator(`g.graph-node[data-vertex-id="${source.id}"] .node-rates`).textContent() ?? ''), {
      description: 'a positive records-out rate on the source node',
      timeoutMs: 20_000,
    });
    await screenshot('job-graph');

    // Flink's flame graph of the source vertex, taken from its tab: the profile's frames are drawn.
    await page.locator('nav.tabs a[data-tab=flamegraph]').click();
    await page.locator('[data-testid=flamegraph-vertex]').selectOption(source.id);
    // The full profile: this job's worker idles most of the time, so on-CPU samples may be few.
    await page.locator('[data-testid=flamegraph-type]').selectOption('FULL');
    await page.locator('[data-action=flamegraph]').click();
    await expectText(page.locator('[data-testid=flamegraph-status]'), ' samples over 3 s', 60_000);
    const samples = Number(/^(\d+) samples/.exec(await page.locator('[data-testid=flamegraph-status]').innerText())![1]);
    expect(samples).toBeGreaterThan(0);
    const frames = page.locator('[data-testid=flamegraph] svg.d3-flame-graph g rect');
    await waitFor(async () => (await frames.count()) > 1, { description: 'flame graph frames', timeoutMs: 10_000 });
    // The root frame grows (d3's transition) to span the chart: all samples are under it.
    const chartWidth = Number(await page.locator('[data-testid=flamegraph] svg.d3-flame-graph').getAttribute('width'));
    expect(chartWidth).toBeGreaterThan(300);
    const widest = () => frames.evaluateAll((rects) => Math.max(...rects.map((r) => Number(r.getAttribute('width')))));
    await waitFor(async () => (await widest()) >= chartWidth - 1, { description: 'the root frame spanning the flame graph', timeoutMs: 10_000 });
    await screenshot('flamegraph');
    await page.locator('nav.tabs a[data-tab=graph]').click();

    // A savepoint through the page; REST lists it for this job.
    await page.locator('[data-action=savepoint]').click();
    await expectText(page.locator('[data-testid=action-outcome]'), 'Savepoint completed: savepoint://', 60_000);
    const location = /savepoint:\/\/\S+/.exec(await page.locator('[data-testid=action-outcome]').innerText())![0];
    const savepoints = (await rest<{ savepoints: { path: string; 'job-id': string }[] }>('savepoints')).body.savepoints;
    expect(savepoints).toContainEqual(expect.objectContaining({ path: location, 'job-id': jobId }));

    // Checkpoints: the history the page lists is REST's.
    await page.locator('[data-tab=checkpoints]').click();
    const rows = page.locator('table.checkpoints-table tbody tr');
    await waitFor(async () => (await rows.count()) > 0, { description: 'checkpoint history rows', timeoutMs: 20_000 });
    const history = (await rest<{ history: { id: number }[] }>(`jobs/${jobId}/checkpoints`)).body.history;
    expect(history.length).toBeGreaterThan(0);
    await expect(page.locator('table.savepoints-table').innerText()).resolves.toContain(location);
    await screenshot('checkpoints');

    // The watermark view: rendered when the endpoint exists, "not available" when it answers 404.
    await page.locator('[data-tab=watermarks]').click();
    const watermarks = await rest<unknown>(`jobs/${jobId}/watermarks`);
    if (watermarks.status === 404) await expectText(page.locator('.not-available').first(), 'not available');
    else await page.locator('[data-testid=watermark-view]').waitFor();

    // TaskManagers: one row per registered TaskManager.
    await page.locator('[data-nav=taskmanagers]').click();
    const tms = (await rest<{ taskmanagers: { id: string }[] }>('taskmanagers')).body.taskmanagers;
    await waitFor(async () => (await page.locator('table.taskmanagers-table tbody tr').count()) === tms.length, { description: `${tms.length} TaskManager rows`, timeoutMs: 20_000 });
    for (const tm of tms) await expect(page.locator(`tr[data-tm-id="${tm.id}"]`).count()).resolves.toBe(1);
    await screenshot('taskmanagers');

    // A TaskManager running this job's tasks charts its slots' heap in bytes: y labels of 8 to 11
    // characters ("40,000,000"), drawn inside the chart.
    const busyTm = await waitFor(
      async () => {
        for (const tm of tms) {
          const ids = (await rest<{ id: string }[]>(`taskmanagers/${encodeURIComponent(tm.id)}/metrics`)).body.map((m) => m.id);
          if (ids.some((id) => /Heap\.Used/.test(id))) return tm.id;
        }
        return false;
      },
      { description: 'a TaskManager reporting heap metrics', timeoutMs: 20_000 },
    );
    await page.goto(`${cluster.url}/#/taskmanagers/${encodeURIComponent(busyTm)}`);
    const memory = page.locator('[data-testid=tm-metrics-chart]');
    await waitFor(async () => (await memory.locator('canvas').count()) > 0, { description: 'the TaskManager heap chart', timeoutMs: 30_000 });
    await expectYLabelsInside(memory);
    await screenshot('taskmanager-chart');

    // Cancel (two clicks): REST says CANCELED, and so does the page.
    await page.goto(`${cluster.url}/#/jobs/${jobId}`);
    await page.locator('[data-action=cancel]').click();
    await page.locator('[data-action=confirm-cancel]').click();
    await cluster.waitForJob(jobId, ['CANCELED'], 30_000);
    await expectText(page.locator('.job-head .state'), 'CANCELED');

    expect(consoleProblems).toEqual([]);
  }, 120_000);

  it('q5: node text fits the graph boxes, chart y labels are not cut, the finished job’s Watermarks tab names its event-time operators', async () => {
    // Set the token again when the first test did not get that far.
    await page.goto(cluster.url + '/');
    if (await page.locator('#token').isVisible().catch(() => false)) {
      await page.locator('#token').fill(TOKEN);
      await page.locator('.token-form button[type=submit]').click();
    }
    tokenEntered = true;
    const output = join(work, 'q5') + '/';
    const jobId = await cluster.run(await cluster.uploadJob(join(EXAMPLES, 'nexmark-q5.ts')), ['--events', '3000000', '--seed', '7', '--output', output], 2);
    await page.goto(`${cluster.url}/#/jobs/${jobId}`);
    const job = await cluster.waitForJob(jobId, ['RUNNING', 'FINISHED'], 60_000);
    const vertices = job.vertices as Vertex[];
    const nodes = page.locator('svg.job-graph g.graph-node');
    await waitFor(async () => (await nodes.count()) === vertices.length, { description: `${vertices.length} graph nodes`, timeoutMs: 20_000 });
    await expectNodeTextInside(vertices);

    // The records-rate chart, once drawn while q5 runs (its sums reach the hundreds of thousands).
    const rates = page.locator('[data-testid=rates-chart]');
    await waitFor(async () => (await rates.locator('canvas').count()) > 0, { description: 'the rates chart drawn while q5 runs', timeoutMs: 30_000 });
    // A few more samples, so the axis holds the run's largest rates.
    await page.waitForTimeout(3_000);
    await expectYLabelsInside(rates);
    await screenshot('q5-running');

    await cluster.expectFinished(jobId, 120_000);
    await page.goto(`${cluster.url}/#/jobs/${jobId}`);
    await expectText(page.locator('.job-head .state'), 'FINISHED');
    await waitFor(async () => (await nodes.count()) === vertices.length, { description: `${vertices.length} graph nodes`, timeoutMs: 20_000 });
    await expectNodeTextInside(vertices);
    await screenshot('q5-graph-finished');

    // Watermarks of the finished job: its event-time vertices by name, never "No event-time operator".
    await page.locator('[data-tab=watermarks]').click();
    const view = page.locator('[data-testid=watermark-view]');
    await view.waitFor();
    await waitFor(async () => !/Loading/.test(await view.innerText()), { description: 'the watermark view loaded', timeoutMs: 10_000 });
    const text = await view.innerText();
    expect(text).not.toMatch(/No event-time operator/i);
    const windowVertex = vertices.find((v) => /Bids per Auction and Window/.test(v.name))!;
    const hottest = vertices.find((v) => /Hottest Auctions/.test(v.name))!;
    expect(text).toContain(windowVertex.name);
    expect(text).toContain(hottest.name);
    expect(text).toMatch(/FINISHED/);
    await screenshot('q5-watermarks-finished');

    expect(consoleProblems).toEqual([]);
  }, 240_000);

  /** Every line of every graph node ends inside its box (its right border less 2 px) and starts inside it; the tooltip keeps the full name. */
  async function expectNodeTextInside(vertices: Vertex[]): Promise<void> {
    const outside = await page.locator('svg.job-graph g.graph-node').evaluateAll((gs) =>
      gs.flatMap((g) => {
        const box = g.querySelector('rect')!.getBoundingClientRect();
        return [...g.querySelectorAll('text')]
          .map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }))
          .filter(({ r }) => r.left < box.left || r.right > box.right - 2)
          .map(({ text, r }) => `"${text}" spans ${r.left.toFixed(1)}..${r.right.toFixed(1)}, its box ${box.left.toFixed(1)}..${box.right.toFixed(1)}`);
      }),
    );
    expect(outside).toEqual([]);
    for (const v of vertices) {
      const title = await page.locator(`svg.job-graph g.graph-node[data-vertex-id="${v.id}"] > title`).textContent();
      expect(title?.split('\n')[0]).toBe(v.name);
    }
  }

  /**
   * The chart's y-axis labels are drawn on its canvas, inside it: the leftmost inked pixel of the
   * y-axis strip (left of the plot, between its top and bottom) is at least 1 px right of the
   * canvas's left edge — a label cut by the edge ("200,000" as ":00,000") inks column 0.
   */
  async function expectYLabelsInside(chart: ReturnType<Page['locator']>): Promise<void> {
    const found = await chart.evaluate((el) => {
      const canvas = el.querySelector('canvas')!;
      const over = el.querySelector('.u-over') as HTMLElement;
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const axisW = Math.round(over.offsetLeft * ratio);
      const top = Math.max(0, Math.round(over.offsetTop * ratio) - 8);
      const bottom = Math.min(canvas.height, Math.round((over.offsetTop + over.offsetHeight) * ratio) + 8);
      const pixels = canvas.getContext('2d')!.getImageData(0, top, axisW, bottom - top).data;
      let inkLeft = Infinity;
      for (let y = 0; y < bottom - top; y++)
        for (let x = 0; x < axisW && x < inkLeft; x++) if (pixels[(y * axisW + x) * 4 + 3] > 40) inkLeft = x;
      return { inkLeftCss: inkLeft / ratio, axisWidthCss: axisW / ratio };
    });
    // Labels were drawn at all, and none touches the left edge.
    expect(found.inkLeftCss).toBeLessThan(found.axisWidthCss);
    expect(found.inkLeftCss).toBeGreaterThanOrEqual(1);
  }
});

async function expectText(locator: ReturnType<Page['locator']>, text: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => ((await locator.first().textContent({ timeout: 2_000 })) ?? '').includes(text), { description: `"${text}" on the page`, timeoutMs });
}
