import type { IncomingMessage } from 'node:http';
import type { RoadmapEngine } from '@roadmap/core';
import {
  createRouteMatcher,
  createRoutePipeline,
  defaultRateLimits,
  methodNotAllowed,
  type RateLimit,
  type RoadmapRouteOptions,
  type RouteDefinition,
  type RouteResponse,
  roadmapRouteTable,
} from '@roadmap/http';
import { type Request, type Response, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { createErrorHandler } from './httpErrors.js';
import { readNodeRequestBody } from './nodeRequestBody.js';

export interface RoadmapRouterOptions extends RoadmapRouteOptions {
  /** Security headers set by helmet; `false` leaves them to the host app. Default: helmet's defaults (`{}`). */
  helmet?: HelmetOptions | false;
  /** Receives every error answered with 500 (the client only sees a generic detail). Default: `console.error`. */
  onError?: (error: unknown, request: Request) => void;
}

/** Default per-user limit of roadmap generation. */
export const defaultGenerateRateLimit: RateLimit = defaultRateLimits.generate;
/** Default per-user limit of cover generation. */
export const defaultCoverGenerationRateLimit: RateLimit = defaultRateLimits.coverGeneration;

type RouterMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * The REST API of SPEC §3, §7 and §8 as an Express router (Express 4.21+ or 5), to mount at `/api/v1`: the route table
 * of `@roadmap/http` bound onto Express — the same routes, validation, authentication, rate limits and errors as
 * `createRoadmapHandler`, the fetch handler. Every route except the public `GET /cover-images/{file}` requires a user
 * (`authenticate`); a known path with another method is answered 405 with `Allow` (OPTIONS: 204), and requests for
 * paths that are not its routes fall through to `next()` untouched.
 *
 * @example
 * const app = express();
 * app.use(createHealthRouter(engine));
 * app.use('/api/v1', createRoadmapRouter(engine, {
 *   authenticate: createJwtAuthenticator({ secret: process.env.ROADMAP_JWT_SECRET ?? '' }),
 * }));
 */
export function createRoadmapRouter(engine: RoadmapEngine, options: RoadmapRouterOptions): Router {
  const onError = options.onError ?? ((error: unknown) => console.error('[roadmap/express]', error));
  const pipeline = createRoutePipeline(engine, options);

  const serve = async (route: RouteDefinition, request: Request, response: Response) => {
    const controller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    const answer = await pipeline(
      route,
      {
        params: { ...(request.params as Record<string, string>) },
        query: queryOf(request.originalUrl),
        headers: request.headers,
        readBytes: (limit) => readNodeRequestBody(request as IncomingMessage, limit),
        signal: controller.signal,
      },
      (error) => onError(error, request),
    );
    await sendRouteResponse(response, answer, controller.signal);
  };

  const router = Router();
  if (options.helmet !== false) router.use(helmet(options.helmet ?? {}));
  for (const route of roadmapRouteTable) {
    router[route.method.toLowerCase() as RouterMethod](route.path, (request, response, next) => {
      serve(route, request, response).catch(next);
    });
  }
  // A known path asked with a method none of its routes takes: 405 with `Allow` (OPTIONS: 204 with `Allow`), as the
  // fetch handler answers, from the same matcher. Any other request still falls through to the app.
  const match = createRouteMatcher(roadmapRouteTable);
  router.use((request, response, next) => {
    const found = match(request.method, request.path);
    if (found.kind !== 'methodNotAllowed') {
      next();
      return;
    }
    response.setHeader('Allow', found.allow.join(', '));
    if (request.method === 'OPTIONS') response.status(204).end();
    else response.status(405).json(methodNotAllowed);
  });
  router.use(createErrorHandler(onError));
  return router;
}

/** Query parameters of the raw URL, read as the fetch handler reads them (whatever Express's query parser). */
function queryOf(originalUrl: string): Record<string, string | string[]> {
  const query = Object.create(null) as Record<string, string | string[]>;
  const search = originalUrl.indexOf('?');
  if (search === -1) return query;
  for (const [name, value] of new URLSearchParams(originalUrl.slice(search + 1))) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

/**
 * Writes a route's answer: JSON, bytes, or a stream piped with backpressure and cancelled when the client goes away.
 * A 413 closes the connection, since the rest of that body is never read.
 */
async function sendRouteResponse(response: Response, answer: RouteResponse, signal: AbortSignal): Promise<void> {
  for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
  if (answer.status === 413) response.setHeader('Connection', 'close');
  response.status(answer.status);
  if ('json' in answer) {
    response.json(answer.json);
    return;
  }
  const { body } = answer;
  if (body === null) {
    response.end();
    return;
  }
  if (body instanceof Uint8Array) {
    response.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    return;
  }
  await pipeStream(body, response, signal);
}

async function pipeStream(body: ReadableStream<Uint8Array>, response: Response, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  response.flushHeaders();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!response.write(value)) {
        await new Promise<void>((resolve) => {
          const resume = () => {
            response.off('drain', resume);
            response.off('close', resume);
            resolve();
          };
          response.on('drain', resume);
          response.on('close', resume);
        });
      }
      if (signal.aborted) break;
    }
  } catch {
    // The stream failed or was cancelled: end what was sent.
  } finally {
    signal.removeEventListener('abort', cancel);
    response.end();
  }
}
