/** GET / and /dashboard: the web dashboard (Flink's web UI, in one page over the same REST API). */
import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_HTML } from './dashboard.page';

@Controller()
export class DashboardController {
  @Get(['', 'dashboard'])
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return DASHBOARD_HTML;
  }
}
