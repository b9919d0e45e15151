/** GET / and /dashboard: the web dashboard (Flink's web UI, in one page over the same REST API). */
import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_HTML } from './dashboard.page';

/** The page's paths: served without a token (the page holds no data; its API calls send one). */
export const DASHBOARD_PATHS = ['/', '/dashboard'];

@Controller()
export class DashboardController {
  @Get(DASHBOARD_PATHS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return DASHBOARD_HTML;
  }
}
