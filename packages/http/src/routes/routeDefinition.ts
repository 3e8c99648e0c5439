import type { RoadmapEngine } from '@roadmap/core';
import type { AuthenticatedUser } from '../auth/authenticate.js';
import type { RouterRateLimits } from '../rateLimits/rateLimit.js';

/** HTTP methods the API uses. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call a route: `user` needs a valid credential in the `Authorization` header (401 otherwise); `public`
 * anyone (cover images, shown by `<img>` tags that send no header); `userOrQueryToken` a user, whose token may also
 * come as `?token=` (the SSE routes: `EventSource` cannot send headers).
 */
export type RouteAccess = 'user' | 'public' | 'userOrQueryToken';

/**
 * What a route reads from the request body: `none`; `json`, a JSON document of at most `jsonBodyLimit` (64 KB by
 * default, 413 beyond); `image`, the bytes of an image of at most 2 MB, read only once the route has checked the
 * caller's limit and ownership.
 */
export type RouteBodyKind = 'none' | 'json' | 'image';

/** A per-user rate-limit bucket (see `RouterRateLimits` for each default). */
export type RateLimitBucket = keyof RouterRateLimits;

/** A request as every host hands it to a route: no framework type, no Node type. */
export interface RouteRequest {
  /** Path parameters by the names of the route's `:param`s, percent-decoded once. */
  params: Record<string, string>;
  /** Query parameters; a repeated one is an array. */
  query: Record<string, string | string[]>;
  /** Request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The caller; `null` only on `public` routes. */
  user: AuthenticatedUser | null;
  /**
   * The JSON body (`json` routes only): `undefined` when the request has no JSON `Content-Type` (the route's parser
   * then answers what is missing), 400 `invalid_json` when it does not parse, 413 over the limit.
   */
  readJson(): Promise<unknown>;
  /** The raw body (`image` routes), at most `limit` bytes: beyond it 413, and nothing more is read. */
  readBytes(limit: number): Promise<Uint8Array>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** A JSON answer. */
export interface JsonRouteResponse {
  status: number;
  /** Serialised with `JSON.stringify`, `Content-Type: application/json; charset=utf-8`. */
  json: unknown;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** Any other answer: bytes, a stream (Server-Sent Events) or nothing, with its own headers. */
export interface BodyRouteResponse {
  status: number;
  /** Sent as it is; a stream is cancelled when the client goes away. */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  /** Headers, `Content-Type` among them. */
  headers: Record<string, string>;
}

/** What a route answers. */
export type RouteResponse = JsonRouteResponse | BodyRouteResponse;

/** What the pipeline gives a route besides its request. */
export interface RouteServices {
  /** The engine the API serves. */
  engine: RoadmapEngine;
  /**
   * Counts one request of the route's bucket for the caller and throws 429 `rate_limited` with `Retry-After` over the
   * limit. A route calls it where the count belongs (after its input is validated, after ownership for covers), so
   * that a malformed or foreign request does not spend the caller's allowance; without a bucket it does nothing.
   */
  enforceRateLimit(): Promise<void>;
  /** Current time in milliseconds (the `now` option). */
  now: () => number;
  /** Milliseconds between two keep-alive comments of an event stream (SPEC §8: 15 s). */
  eventStreamKeepAliveMs: number;
  /** Live connections (event streams and WebSockets together) one user may hold open (`maxConnectionsPerUser`). */
  maxConnectionsPerUser: number;
  /** Reports a server fault that has no caller left to answer (a stream already under way), as `onError` does. */
  reportError: (error: unknown) => void;
}

/** A route's work: from a request to an answer. Errors it throws are mapped to their status by the pipeline. */
export type RouteHandler = (request: RouteRequest, services: RouteServices) => Promise<RouteResponse>;

/** One route of the API, as data: what the fetch handler, the Express binding and (later) OpenAPI read. */
export interface RouteDefinition {
  /** HTTP method. */
  method: RouteMethod;
  /** Path under the base path, with `:param` segments (valid in Express 4 and 5). */
  path: string;
  /** Who may call it. */
  access: RouteAccess;
  /** What it reads from the body. */
  body: RouteBodyKind;
  /** Its per-user rate-limit bucket, or `null`. */
  rateLimit: RateLimitBucket | null;
  /** One line saying what it does (the OpenAPI summary). */
  summary: string;
  /** Its work. */
  handle: RouteHandler;
}

/** The caller of a route that requires one (the pipeline has checked it). */
export function userOf(request: RouteRequest): AuthenticatedUser {
  if (request.user === null) throw new Error('A user route was called without a user.');
  return request.user;
}
