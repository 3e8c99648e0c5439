import { eventStreamHeaders, openEventStream } from '../events/eventStream.js';
import { parseEventStreamSince } from '../validation/requestValidation.js';
import { type RouteDefinition, type RouteRequest, type RouteServices, userOf } from './routeDefinition.js';
import { header, param } from './routeParameters.js';

/**
 * Live updates over Server-Sent Events (SPEC §8), beside the WebSocket: the same events, replay by `seq`, ownership
 * and retention. The token may come as `?token=` (an `EventSource` cannot send headers). `Last-Event-ID` wins over
 * `?since=` (see `parseEventStreamSince`). Errors come before the first byte (401, 403, 404, 429 over the connection
 * cap); then the stream runs until the client goes away, the task ends, or the token expires.
 */
export const eventRoutes: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/events',
    access: 'userOrQueryToken',
    body: 'none',
    rateLimit: null,
    summary: "Every event of the caller's tasks as Server-Sent Events, resumed from since or Last-Event-ID.",
    handle: (request, services) => eventStream(request, services, undefined),
  },
  {
    method: 'GET',
    path: '/roadmaps/tasks/:taskId/events',
    access: 'userOrQueryToken',
    body: 'none',
    rateLimit: null,
    summary: "One task's events as Server-Sent Events, resumed from since or Last-Event-ID; ends once the task has.",
    handle: (request, services) => eventStream(request, services, param(request, 'taskId')),
  },
];

async function eventStream(request: RouteRequest, services: RouteServices, taskId: string | undefined) {
  const user = userOf(request);
  const since = parseEventStreamSince(request.query, header(request, 'last-event-id'));
  const body = await openEventStream({
    engine: services.engine,
    userId: user.userId,
    ...(taskId === undefined ? {} : { taskId }),
    ...(since === undefined ? {} : { since }),
    ...(user.expiresAt === undefined ? {} : { expiresAt: user.expiresAt }),
    keepAliveMs: services.eventStreamKeepAliveMs,
    maxConnectionsPerUser: services.maxConnectionsPerUser,
    now: services.now,
    onError: services.reportError,
    signal: request.signal,
  });
  return { status: 200, body, headers: { ...eventStreamHeaders } };
}
