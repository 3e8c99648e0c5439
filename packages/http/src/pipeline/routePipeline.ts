import type { ApiErrorBody, RoadmapEngine } from '@roadmap/core';
import type { Authenticate, AuthenticatedUser } from '../auth/authenticate.js';
import { toHttpResponse } from '../errors/errorResponse.js';
import {
  createMemoryRateLimitStore,
  defaultRateLimits,
  enforceRateLimit,
  type RateLimitStore,
  type RouterRateLimits,
} from '../rateLimits/rateLimit.js';
import type { RouteDefinition, RouteRequest, RouteResponse, RouteServices } from '../routes/routeDefinition.js';
import { headerValue, type ReadBytes, readJsonBody } from './bodyReading.js';
import { parseByteSize } from './byteSize.js';

/** Options every host of the route table takes (the fetch handler and `@roadmap/express`). */
export interface RoadmapRouteOptions {
  /**
   * Who is calling: resolves the user from the request's headers (`Authorization: Bearer <jwt>`) — and from
   * `?token=` on the event-stream routes — `null` for a missing or invalid credential (answered 401). The owner of
   * everything is always this user, never a field of the body or query. Required; see `createJwtAuthenticator`.
   */
  authenticate: Authenticate;
  /**
   * Per-user rate limits of the routes that start work: generate, cover generation, cancel, retry, item retry and
   * cover upload (see `RouterRateLimits` for each default). Each bucket can be set on its own; the others keep
   * their defaults. A request over its limit is answered 429 with `Retry-After` before any work is done.
   */
  rateLimits?: Partial<RouterRateLimits>;
  /** Where rate-limit counts live. Default: in this process's memory (`createMemoryRateLimitStore`). */
  rateLimitStore?: RateLimitStore;
  /** Largest JSON body, in bytes or as a size string (`'64kb'`); bigger ones get 413. Default: `'64kb'`. */
  jsonBodyLimit?: string | number;
  /** Current time in milliseconds, for rate-limit windows and `Retry-After`. Default: `Date.now`. */
  now?: () => number;
  /** Milliseconds between two keep-alive comments on an event stream. Default: 15 000 (SPEC §8). */
  eventStreamKeepAliveMs?: number;
  /**
   * Live connections one user may hold open on this engine in this process, event streams and WebSockets counted
   * together (SPEC §4, §8); an event stream over it is refused with 429 `rate_limited`. Pass the WebSocket's
   * `maxConnectionsPerUser` the same value. `Infinity` turns the cap off. Default: 20.
   */
  maxConnectionsPerUser?: number;
}

/** What a host hands the pipeline for one request of one route. */
export interface RouteInput {
  /** Path parameters, percent-decoded once. */
  params: Record<string, string>;
  /** Query parameters. */
  query: Record<string, string | string[]>;
  /** Headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** Reads the raw body with a limit (413 beyond it, nothing more read). */
  readBytes: ReadBytes;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** Runs one route for a host: authentication, the route, and the mapping of its errors. */
export type RoutePipeline = (
  route: RouteDefinition,
  input: RouteInput,
  reportServerError: (error: unknown) => void,
) => Promise<RouteResponse>;

const unauthorized: ApiErrorBody = { detail: 'A valid bearer token is required.', code: 'unauthorized' };

/**
 * The request pipeline both hosts share, written once: authenticate (401 with `WWW-Authenticate`) → the route (which
 * counts its rate-limit bucket, 429 with `Retry-After`, and reads its body within the limits) → every thrown error
 * mapped to its status (`toHttpResponse`); only a real server fault is a 500, reported to `reportServerError`, and
 * its answer never says more than "Internal server error.".
 */
export function createRoutePipeline(engine: RoadmapEngine, options: RoadmapRouteOptions): RoutePipeline {
  const now = options.now ?? Date.now;
  const rateLimitStore = options.rateLimitStore ?? createMemoryRateLimitStore({ now });
  const rateLimits: RouterRateLimits = { ...defaultRateLimits, ...options.rateLimits };
  const jsonBodyLimit = parseByteSize(options.jsonBodyLimit ?? '64kb');
  const eventStreamKeepAliveMs = options.eventStreamKeepAliveMs ?? 15_000;
  const maxConnectionsPerUser = options.maxConnectionsPerUser ?? 20;
  if (!(maxConnectionsPerUser >= 1)) throw new RangeError('maxConnectionsPerUser must be at least 1.');

  return async (route, input, reportServerError) => {
    try {
      let user: AuthenticatedUser | null = null;
      if (route.access !== 'public') {
        const token = route.access === 'userOrQueryToken' ? headerValue(input.query.token) : undefined;
        user = await options.authenticate({
          headers: input.headers,
          ...(token === undefined || token === '' ? {} : { token }),
        });
        if (user === null || typeof user.userId !== 'string' || user.userId.length === 0) {
          const hasCredential = input.headers.authorization !== undefined || token !== undefined;
          return {
            status: 401,
            json: unauthorized,
            headers: { 'WWW-Authenticate': hasCredential ? 'Bearer error="invalid_token"' : 'Bearer' },
          };
        }
      }
      const caller = user;
      const bucket = route.rateLimit;
      const services: RouteServices = {
        engine,
        now,
        eventStreamKeepAliveMs,
        maxConnectionsPerUser,
        reportError: (error) => report(reportServerError, error),
        async enforceRateLimit() {
          if (bucket === null || caller === null) return;
          await enforceRateLimit(rateLimitStore, rateLimitKeys[bucket], caller.userId, rateLimits[bucket], now);
        },
      };
      const request: RouteRequest = {
        params: input.params,
        query: input.query,
        headers: input.headers,
        user: caller,
        signal: input.signal,
        readJson() {
          if (route.body !== 'json') throw new Error(`${route.method} ${route.path} reads no JSON body.`);
          return readJsonBody(input.readBytes, input.headers, jsonBodyLimit);
        },
        readBytes(limit) {
          if (route.body !== 'image') throw new Error(`${route.method} ${route.path} reads no raw body.`);
          return input.readBytes(limit);
        },
      };
      return await route.handle(request, services);
    } catch (error) {
      return errorRouteResponse(error, reportServerError);
    }
  };
}

/** The answer to a thrown value; a 5xx is reported first (a failing reporter changes nothing). */
export function errorRouteResponse(error: unknown, reportServerError: (error: unknown) => void): RouteResponse {
  const { status, body, headers } = toHttpResponse(error);
  if (status >= 500) report(reportServerError, error);
  return { status, json: body, headers };
}

function report(reportServerError: (error: unknown) => void, error: unknown): void {
  try {
    reportServerError(error);
  } catch {
    // A failing logger must not turn into another error.
  }
}

/** Store keys of the buckets, as the Express router named them (so counts in a shared store carry over). */
const rateLimitKeys: Record<keyof RouterRateLimits, string> = {
  generate: 'generate',
  coverGeneration: 'cover-generation',
  cancel: 'cancel',
  retry: 'retry',
  itemRetry: 'item-retry',
  coverUpload: 'cover-upload',
};
