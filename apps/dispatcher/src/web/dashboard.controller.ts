/** GET / and /dashboard: the web dashboard (Flink's web UI), and its files under /web/. */
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_CSP, loadDashboardAssets } from './dashboard.assets';

const ASSETS = loadDashboardAssets();

/** The page's paths and files: served without a token (they hold no data; the API calls send one). */
export const DASHBOARD_PATHS = ['/', '/dashboard', ...[...ASSETS.keys()].filter((p) => p !== '/')];

@Controller()
export class DashboardController {
  @Get(['/', '/dashboard'])
  page(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    send(req, res, '/');
  }

  @Get('web/:file')
  file(@Param('file') file: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    send(req, res, `/web/${file}`);
  }
}

function send(req: IncomingMessage, res: ServerResponse, path: string): void {
  const a = ASSETS.get(path);
  if (!a) {
    res.statusCode = 404;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [`No such dashboard file: ${path}`], code: 'NOT_FOUND' }));
    return;
  }
  res.setHeader('Content-Type', a.contentType);
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  // Fixed file names: the browser revalidates each time (a 304 when unchanged).
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', a.etag);
  if (req.headers['if-none-match'] === a.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : a.body);
}
