export type {
  RoadmapWebSocket,
  RoadmapWebSocketOptions,
} from './attachRoadmapWebSocket.js';
export { attachRoadmapWebSocket } from './attachRoadmapWebSocket.js';
export type { Authenticate, AuthenticatedUser, JwtAuthenticatorOptions, SignJwtClaims } from './authenticate.js';
export { createJwtAuthenticator, readBearerToken, signJwt } from './authenticate.js';
export type { HealthRouterOptions, ReadinessCheck } from './healthRouter.js';
export { createHealthRouter } from './healthRouter.js';
export { HttpError, statusOfErrorCode, toHttpResponse } from './httpErrors.js';
export type { JwksAuthenticatorOptions } from './jwksAuthenticator.js';
export { createJwksAuthenticator } from './jwksAuthenticator.js';
export type { JwtClaimOptions } from './jwtVerification.js';
export type { PathParameterFormat, PathParameterName } from './pathParameters.js';
export { pathParameterFormats } from './pathParameters.js';
export type { MemoryRateLimitStoreOptions, RateLimit, RateLimitStore, RouterRateLimits } from './rateLimit.js';
export { createMemoryRateLimitStore, defaultRateLimits, defaultUpgradeRateLimit } from './rateLimit.js';
export type { RedisRateLimitClient, RedisRateLimitStoreOptions } from './redisRateLimitStore.js';
export { createRedisRateLimitStore } from './redisRateLimitStore.js';
export type { RoadmapRouterOptions } from './roadmapRouter.js';
export { createRoadmapRouter, defaultCoverGenerationRateLimit, defaultGenerateRateLimit } from './roadmapRouter.js';
