// The framework-free parts live in @roadmap/http; re-exported so that code written against @roadmap/express keeps
// compiling.
export type {
  Authenticate,
  AuthenticatedUser,
  JwksAuthenticatorOptions,
  JwtAuthenticatorOptions,
  JwtClaimOptions,
  MemoryRateLimitStoreOptions,
  PathParameterFormat,
  PathParameterName,
  RateLimit,
  RateLimitStore,
  RedisRateLimitClient,
  RedisRateLimitStoreOptions,
  RouterRateLimits,
  SignJwtClaims,
} from '@roadmap/http';
export {
  createJwksAuthenticator,
  createJwtAuthenticator,
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  defaultRateLimits,
  defaultUpgradeRateLimit,
  HttpError,
  pathParameterFormats,
  readBearerToken,
  signJwt,
  statusOfErrorCode,
  toHttpResponse,
} from '@roadmap/http';
export type {
  RoadmapWebSocket,
  RoadmapWebSocketOptions,
} from './attachRoadmapWebSocket.js';
export { attachRoadmapWebSocket } from './attachRoadmapWebSocket.js';
export type { HealthRouterOptions, ReadinessCheck } from './healthRouter.js';
export { createHealthRouter } from './healthRouter.js';
export type { RoadmapRouterOptions } from './roadmapRouter.js';
export { createRoadmapRouter, defaultCoverGenerationRateLimit, defaultGenerateRateLimit } from './roadmapRouter.js';
