import type { ApiErrorBody, RoadmapEngine } from '@roadmap/core';
import { readLimitedBytes } from '../pipeline/bodyReading.js';
import { createRoutePipeline, errorRouteResponse, type RoadmapRouteOptions } from '../pipeline/routePipeline.js';
import { roadmapRouteTable } from '../routes/roadmapRouteTable.js';
import type { RouteResponse } from '../routes/routeDefinition.js';
import { createRouteMatcher, methodNotAllowed } from './routeMatching.js';
import { defaultSecurityHeaders } from './securityHeaders.js';

/** Options of {@link createRoadmapHandler}: those of every host, plus where the API lives and its headers. */
export interface RoadmapHandlerOptions extends RoadmapRouteOptions {
  /**
   * Path prefix of the API (no trailing slash). Requests outside it are answered 404, so the handler can take every
   * request of a catch-all route. Default: `'/api/v1'`.
   */
  basePath?: string;
  /**
   * Whether every answer carries the security headers helmet sets by default (`defaultSecurityHeaders`); `false`
   * leaves them to the host (a Next.js `headers()` config, a Hono middleware). Default: `true`.
   */
  securityHeaders?: boolean;
  /** Receives every error answered with 500 (the client only sees a generic detail). Default: `console.error`. */
  onError?: (error: unknown, request: Request) => void;
}

/** Answers one request of the API. */
export type RoadmapHandler = (request: Request) => Promise<Response>;

const notFound: ApiErrorBody = { detail: 'No such route.', code: 'not_found' };

/**
 * The REST API of SPEC §3, §7 and §8 as a web-standard fetch handler, `(request: Request) => Promise<Response>`: the
 * same route table, validation and pipeline as `@roadmap/express`, on `Request`, `Response`, web streams, `URL`,
 * `TextEncoder` and WebCrypto only (no Node built-in on its path), so it runs in Next.js route handlers, Hono, Bun,
 * Deno and workers. An unknown path under `basePath` is 404 `not_found`; a known path with another method 405 with
 * `Allow`; bodies are read from `request.body` with their limit enforced while reading (413, nothing more read).
 *
 * @example
 * // app/api/v1/[...path]/route.ts (Next.js App Router)
 * const handler = createRoadmapHandler(engine, {
 *   authenticate: createJwtAuthenticator({ secret: process.env.ROADMAP_JWT_SECRET ?? '' }),
 * });
 * export { handler as GET, handler as POST, handler as PUT, handler as DELETE };
 */
export function createRoadmapHandler(engine: RoadmapEngine, options: RoadmapHandlerOptions): RoadmapHandler {
  const basePath = (options.basePath ?? '/api/v1').replace(/\/+$/, '');
  const securityHeaders = options.securityHeaders === false ? {} : defaultSecurityHeaders;
  const onError = options.onError ?? ((error: unknown) => console.error('[roadmap/http]', error));
  const pipeline = createRoutePipeline(engine, options);
  const match = createRouteMatcher(roadmapRouteTable);
  const encoder = new TextEncoder();

  const toResponse = (response: RouteResponse, head: boolean): Response => {
    const headers = new Headers(securityHeaders);
    let body: BodyInit | null;
    if ('json' in response) {
      headers.set('Content-Type', 'application/json; charset=utf-8');
      body = encoder.encode(JSON.stringify(response.json));
    } else {
      body = response.body as BodyInit | null;
    }
    for (const [name, value] of Object.entries(response.headers ?? {})) headers.set(name, value);
    if (head && body instanceof ReadableStream) void body.cancel().catch(() => {});
    const noBody = head || response.status === 204 || response.status === 304;
    return new Response(noBody ? null : body, { status: response.status, headers });
  };

  return async (request) => {
    const report = (error: unknown) => onError(error, request);
    const head = request.method === 'HEAD';
    try {
      const url = new URL(request.url);
      const path = url.pathname;
      if (path !== basePath && !path.startsWith(`${basePath}/`)) {
        return toResponse({ status: 404, json: notFound }, head);
      }
      const found = match(request.method, path.slice(basePath.length) || '/');
      if (found.kind === 'notFound') return toResponse({ status: 404, json: notFound }, head);
      if (found.kind === 'methodNotAllowed') {
        const allow = found.allow.join(', ');
        if (request.method === 'OPTIONS')
          return toResponse({ status: 204, body: null, headers: { Allow: allow } }, head);
        return toResponse({ status: 405, json: methodNotAllowed, headers: { Allow: allow } }, head);
      }
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const response = await pipeline(
        found.route,
        {
          params: found.params,
          query: queryOf(url.searchParams),
          headers,
          readBytes: (limit) => readLimitedBytes(request.body, limit, request.headers.get('content-length')),
          signal: request.signal,
        },
        report,
      );
      return toResponse(response, head);
    } catch (error) {
      return toResponse(errorRouteResponse(error, report), head);
    }
  };
}

/**
 * Query parameters as a record without a prototype (a `__proto__` parameter is only a name); a repeated name becomes
 * an array, as Express's query parser makes them.
 */
function queryOf(searchParams: URLSearchParams): Record<string, string | string[]> {
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of searchParams) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}
