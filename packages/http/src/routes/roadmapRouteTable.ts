import { coverRoutes } from './coverRoutes.js';
import { roadmapRoutes } from './roadmapRoutes.js';
import type { RouteDefinition } from './routeDefinition.js';
import { taskRoutes } from './taskRoutes.js';
import { usageRoutes } from './usageRoutes.js';

/**
 * Every route of the REST API (SPEC §3, §7, §8), in the order they are matched: the first entry whose method and path
 * match serves a request, so the task routes (`/roadmaps/tasks…`) come before `/roadmaps/:roadmapId`. The fetch
 * handler and `@roadmap/express` serve exactly this table; nothing else declares a route.
 */
export const roadmapRouteTable: readonly RouteDefinition[] = [
  ...taskRoutes,
  ...usageRoutes,
  ...roadmapRoutes,
  ...coverRoutes,
];
