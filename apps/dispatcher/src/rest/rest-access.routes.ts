/**
 * What the dispatcher tells service-kit's access policy about its routes: the dashboard's page is
 * public, and these POSTs change nothing (they build a plan or check a savepoint), so a read-only
 * token (REST_READ_TOKENS) may call them. Every other POST, PATCH and DELETE needs the full token.
 */
import type { RestRoutes } from '@runnel/service-kit';
import { DASHBOARD_PATHS } from '../web/dashboard.controller';

export const DISPATCHER_REST_ROUTES: RestRoutes = {
  publicPaths: DASHBOARD_PATHS,
  readOnlyPosts: ['/jars/:jarid/plan', '/savepoints/dry-run', '/taskmanagers/:id/profile'],
};
