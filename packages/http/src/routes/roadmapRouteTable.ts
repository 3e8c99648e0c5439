import { createOpenApiRoute } from '../openapi/openApiRoute.js';
import { coverRoutes } from './coverRoutes.js';
import { dataRoutes } from './dataRoutes.js';
import { eventRoutes } from './eventRoutes.js';
import { roadmapRoutes } from './roadmapRoutes.js';
import type { RouteDefinition } from './routeDefinition.js';
import { taskRoutes } from './taskRoutes.js';
import { usageRoutes } from './usageRoutes.js';

/** The routes of the API proper; the table adds the one that documents them. */
const apiRoutes: readonly RouteDefinition[] = [
  ...taskRoutes,
  ...dataRoutes,
  ...eventRoutes,
  ...usageRoutes,
  ...roadmapRoutes,
  ...coverRoutes,
];

/**
 * Every route of the REST API (SPEC §3, §7, §8, §9), in the order they are matched: the first entry whose method and path
 * match serves a request, so the task routes (`/roadmaps/tasks…`) come before `/roadmaps/:roadmapId`. The fetch
 * handler and `@roadmap/express` serve exactly this table; nothing else declares a route. The last entry serves the
 * OpenAPI document of all of them (`GET /openapi.json`).
 */
export const roadmapRouteTable: readonly RouteDefinition[] = [...apiRoutes, createOpenApiRoute(apiRoutes)];
