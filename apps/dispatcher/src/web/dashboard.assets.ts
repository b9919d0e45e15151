/**
 * The web dashboard's files: what `nx run dashboard:build` (Vite) wrote to apps/dashboard/dist —
 * index.html and web/* — read once at start into memory, with their content types. Only these
 * files are served (no path from a request ever reaches the file system), and they are public:
 * they hold no data, the page's API calls send the token.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** apps/dispatcher/{dist,src}/web → apps/dashboard/dist (the same depth from both). */
export const DASHBOARD_DIST_DIR = resolve(__dirname, '../../../dashboard/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The page's policy: its own scripts, styles and API only; no inline script, no frames, no
 * plugins. Styles set through the DOM (element.style, as Preact and uPlot do) are not inline
 * styles to CSP, so 'unsafe-inline' is not needed.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Shown at `/` when the dashboard was not built: how to build it. */
const NOT_BUILT_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Runnel</title></head><body>
<h1>Runnel</h1><p>The web dashboard is not built: run <code>npx nx run dashboard:build</code> (or <code>npm run build</code>) and restart the dispatcher.
The REST API is served as usual.</p></body></html>`;

function asset(body: Buffer, file: string): DashboardAsset {
  return { body, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** URL path (`/web/dashboard.js`) → file; `/` → index.html. */
export function loadDashboardAssets(dir: string = DASHBOARD_DIST_DIR): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  const index = join(dir, 'index.html');
  assets.set('/', existsSync(index) ? asset(readFileSync(index), index) : asset(Buffer.from(NOT_BUILT_HTML), 'index.html'));
  const web = join(dir, 'web');
  if (existsSync(web)) {
    for (const name of readdirSync(web)) {
      const file = join(web, name);
      if (statSync(file).isFile() && CONTENT_TYPES[extname(name)]) assets.set(`/web/${name}`, asset(readFileSync(file), file));
    }
  }
  return assets;
}
