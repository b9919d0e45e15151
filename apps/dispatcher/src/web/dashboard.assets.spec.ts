import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_CSP, loadDashboardAssets } from './dashboard.assets';

describe('dashboard assets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html at / and each built file of web/ with its content type', () => {
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./web/dashboard.js"></script>');
    writeFileSync(join(dir, 'web', 'dashboard.js'), 'console.log(1)');
    writeFileSync(join(dir, 'web', 'index.css'), 'body{}');
    writeFileSync(join(dir, 'web', 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'web', 'notes.txt'), 'not a web file');
    mkdirSync(join(dir, 'web', 'nested'));
    const assets = loadDashboardAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['/', '/web/dashboard.js', '/web/favicon.svg', '/web/index.css']);
    expect(assets.get('/')?.contentType).toBe('text/html; charset=utf-8');
    expect(assets.get('/web/dashboard.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/web/index.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(assets.get('/web/favicon.svg')?.contentType).toBe('image/svg+xml');
    expect(assets.get('/web/dashboard.js')?.body.toString()).toBe('console.log(1)');
    // ETags follow the content.
    expect(assets.get('/web/dashboard.js')?.etag).not.toBe(assets.get('/web/index.css')?.etag);
  });

  it('serves a page saying how to build it when the dashboard is not built', () => {
    const assets = loadDashboardAssets(join(dir, 'missing'));
    expect([...assets.keys()]).toEqual(['/']);
    expect(assets.get('/')?.body.toString()).toContain('npx nx run dashboard:build');
  });

  it('allows only its own scripts, styles and API', () => {
    expect(DASHBOARD_CSP).toContain("default-src 'none'");
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });
});
