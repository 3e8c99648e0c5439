/**
 * `@roadmap/core/client`: a browser-safe client of the REST API (SPEC §3) and the WebSocket streams (SPEC §4).
 * Uses only `fetch` and the platform `WebSocket`; imports nothing at runtime from the rest of core.
 */

export type { RoadmapApiErrorCode, RoadmapApiErrorOptions } from './clientErrors.js';
export { parseRetryAfterSeconds, RoadmapApiError } from './clientErrors.js';
export type {
  CancelTaskOptions,
  GenerateRoadmapOptions,
  ListTasksOptions,
  RequestOptions,
  RoadmapClient,
  RoadmapClientOptions,
} from './roadmapClient.js';
export { createRoadmapClient } from './roadmapClient.js';
export type {
  ConnectionState,
  EventSubscriptionOptions,
  TaskSubscriptionOptions,
  Unsubscribe,
} from './taskSubscription.js';
export type * from './wireTypes.js';
