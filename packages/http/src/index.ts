/**
 * `@roadmap/http`: the HTTP API of Roadmap Kit (SPEC §3, §7, §8) on web standards only — one route table, the fetch
 * handler that serves it, JWT authentication and rate limits. `@roadmap/express` binds the same route table to
 * Express. `signJwt` is the one Node-only export (node:crypto); nothing on the handler's path imports it.
 */
export type { Authenticate, AuthenticatedUser, JwtAuthenticatorOptions } from './auth/authenticate.js';
export { createJwtAuthenticator, readBearerToken } from './auth/authenticate.js';
export type { JwksAuthenticatorOptions } from './auth/jwksAuthenticator.js';
export { createJwksAuthenticator } from './auth/jwksAuthenticator.js';
export type { JwtClaimOptions } from './auth/jwtVerification.js';
export type { SignJwtClaims } from './auth/signJwt.js';
export { signJwt } from './auth/signJwt.js';
export { closeAtExpiry } from './auth/tokenExpiry.js';
export type { ErrorResponse } from './errors/errorResponse.js';
export { statusOfErrorCode, toHttpResponse } from './errors/errorResponse.js';
export { HttpError, invalidInput } from './errors/httpError.js';
export type { EventHubListener, EventHubOptions, EventHubSettings } from './events/eventHub.js';
export { EventHub, eventHubOf } from './events/eventHub.js';
export type { EventStreamOptions } from './events/eventStream.js';
export { eventStreamHeaders, openEventStream } from './events/eventStream.js';
export type {
  EventSubscriptionEnd,
  EventSubscriptionOptions,
  EventTransport,
} from './events/eventSubscription.js';
export { EventSubscription } from './events/eventSubscription.js';
export { OutgoingMessage } from './events/outgoingMessage.js';
export { UserConnections, userConnectionsOf } from './events/userConnections.js';
export type { RoadmapHandler, RoadmapHandlerOptions } from './handler/createRoadmapHandler.js';
export { createRoadmapHandler } from './handler/createRoadmapHandler.js';
export type { RouteMatch } from './handler/routeMatching.js';
export { createRouteMatcher, methodNotAllowed } from './handler/routeMatching.js';
export { defaultSecurityHeaders } from './handler/securityHeaders.js';
export type { OpenApiDocument, OpenApiDocumentOptions } from './openapi/openApiDocument.js';
export { createOpenApiDocument } from './openapi/openApiDocument.js';
export type { ReadBytes } from './pipeline/bodyReading.js';
export { payloadTooLarge, readLimitedBytes } from './pipeline/bodyReading.js';
export type { RoadmapRouteOptions, RouteInput, RoutePipeline } from './pipeline/routePipeline.js';
export { createRoutePipeline } from './pipeline/routePipeline.js';
export type {
  MemoryRateLimitStoreOptions,
  RateLimit,
  RateLimitStore,
  RouterRateLimits,
} from './rateLimits/rateLimit.js';
export {
  checkRateLimit,
  createMemoryRateLimitStore,
  defaultRateLimits,
  defaultUpgradeRateLimit,
  enforceRateLimit,
} from './rateLimits/rateLimit.js';
export type { RedisRateLimitClient, RedisRateLimitStoreOptions } from './rateLimits/redisRateLimitStore.js';
export { createRedisRateLimitStore } from './rateLimits/redisRateLimitStore.js';
export { roadmapRouteTable } from './routes/roadmapRouteTable.js';
export type {
  BodyRouteResponse,
  JsonRouteResponse,
  RateLimitBucket,
  RouteAccess,
  RouteBodyKind,
  RouteDefinition,
  RouteHandler,
  RouteMethod,
  RouteRequest,
  RouteResponse,
  RouteServices,
} from './routes/routeDefinition.js';
export type { PathParameterFormat, PathParameterName } from './validation/pathParameters.js';
export { isValidPathParameter, parsePathParameter, pathParameterFormats } from './validation/pathParameters.js';
export type { ControlFields } from './wire/wireFormat.js';
export { toCurrentStatusMessage } from './wire/wireFormat.js';
