import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RoadmapEngine } from '@roadmap/core';
import { createFileBlobStore } from '@roadmap/core/node';
import {
  type Authenticate,
  attachRoadmapWebSocket,
  createHealthRouter,
  createJwksAuthenticator,
  createJwtAuthenticator,
  createMemoryRateLimitStore,
  createRoadmapRouter,
  type RoadmapWebSocket,
} from '@roadmap/express';
import { createApiReferenceHandler } from './apiReference.js';
import type { AuthConfig, ServerConfig } from './config.js';
import { createImageProvider, createModel, describeModel } from './createProviders.js';
import { createDevLoginHandler } from './devLogin.js';
import { createExpressApp } from './expressApp.js';
import { type Logger, requestLogger } from './logging.js';
import { openQueue } from './openQueue.js';
import { openStorage } from './openStorage.js';
import { createWebAppHandler, hasWebBuild } from './webApp.js';

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  engine: RoadmapEngine;
  /** The directory of the web app being served (`config.webDir` when it holds a build), else `undefined`. */
  webDir: string | undefined;
  /**
   * Graceful shutdown: stop accepting connections, close WebSockets (`closing` message, 1001), stop the engine
   * (claimed tasks released and requeued), close the queue and the storage. Idempotent.
   */
  close(): Promise<void>;
}

/** How long open HTTP connections may finish their request during shutdown before they are cut. */
const drainMs = 5_000;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), drainMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Builds and starts the whole server of SPEC §5 from a validated config: storage, queue, model, image provider,
 * file blob store, engine (worker for roles `worker`/`all`; `start()` requeues tasks whose lease expired), and HTTP:
 * the REST router + WebSocket for roles `api`/`all`, only `/healthz` and `/readyz` for role `worker`.
 * Roles `api`/`all` also serve the dev login (`/api/dev/login`, refused unless `config.devLogin`) and the built web
 * app of `config.webDir` with SPA fallback, when a build is there; neither shadows `/api/v1`, `/healthz`, `/readyz`.
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const onError = (error: unknown) => logger.error({ err: error }, 'engine error');
  const storage = await openStorage(config);
  let queue: Awaited<ReturnType<typeof openQueue>>;
  try {
    queue = await openQueue(config, onError);
  } catch (error) {
    await storage.close();
    throw error;
  }

  const serveApi = config.role !== 'worker';
  const engine = new RoadmapEngine({
    storage: storage.storage,
    queue: queue.queue,
    model: createModel(config.model),
    imageProvider: createImageProvider(config.imageProvider),
    blobStore: createFileBlobStore({ directory: config.coverImageDir }),
    concurrency: config.concurrency,
    userConcurrency: config.userConcurrency,
    // Twice the user limit, so one user's burst never fills a worker (fair scheduling, SPEC §7).
    taskConcurrency: Math.max(4, config.userConcurrency * 2),
    leaseMs: config.leaseMs,
    eventRetentionMs: config.eventRetentionMs,
    prices: config.prices,
    budgetPeriod: config.budgetPeriod,
    ...(config.userBudgetUsd === undefined ? {} : { userBudgetUsd: config.userBudgetUsd }),
    worker: config.role !== 'api',
    onError,
  });
  await engine.start();
  logger.info(
    {
      role: config.role,
      storage: storage.description,
      queue: queue.description,
      model: describeModel(config.model),
      imageProvider: config.imageProvider.kind,
      concurrency: config.concurrency,
      leaseMs: config.leaseMs,
    },
    'engine started',
  );

  const app = createExpressApp();
  app.disable('x-powered-by');
  app.use(requestLogger(logger));
  app.use(createHealthRouter(engine));
  const authenticate = createAuthenticator(config.auth);
  // One count per user for the REST buckets and WebSocket upgrades of this process.
  const rateLimitStore = createMemoryRateLimitStore();
  if (serveApi) {
    app.use(
      '/api/v1',
      createRoadmapRouter(engine, {
        authenticate,
        rateLimitStore,
        maxConnectionsPerUser: config.webSocketConnectionsPerUser,
        onError: (error) => logger.error({ err: error }, 'request failed'),
      }),
    );
    // The browsable API reference: Swagger UI over GET /api/v1/openapi.json.
    app.use('/api/docs', createApiReferenceHandler());
    app.use(
      '/api/dev/login',
      createDevLoginHandler(
        config.devLogin && config.auth.kind === 'secret'
          ? { enabled: true, secret: config.auth.secret, issuer: config.auth.issuer, audience: config.auth.audience }
          : { enabled: false },
      ),
    );
  }
  const webDir = serveApi && hasWebBuild(config.webDir) ? config.webDir : undefined;
  if (webDir) app.use(createWebAppHandler(webDir));
  app.use((_request, response) => {
    response.status(404).json({ detail: 'Not found.', code: 'not_found' });
  });

  const server = createServer(app);
  let sockets: RoadmapWebSocket | undefined;
  if (serveApi) {
    sockets = attachRoadmapWebSocket(server, engine, {
      authenticate,
      rateLimitStore,
      maxConnectionsPerUser: config.webSocketConnectionsPerUser,
      onError: (error) => logger.error({ err: error }, 'websocket error'),
    });
  }

  let port: number;
  try {
    port = await listen(server, config.port);
  } catch (error) {
    await sockets?.close();
    await engine.stop();
    await queue.queue.close();
    await storage.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info('shutting down');
      const httpClosed = closeHttp(server);
      await sockets?.close();
      await engine.stop();
      await queue.queue.close();
      await httpClosed;
      await storage.close();
      logger.info('shut down');
    })();
    return closing;
  };

  return { url: `http://127.0.0.1:${port}`, port, engine, webDir, close };
}

/** HS256 with `ROADMAP_JWT_SECRET` (or the dev secret), or the identity provider's key set of `ROADMAP_JWKS_URL`. */
export function createAuthenticator(auth: AuthConfig): Authenticate {
  const claims = {
    ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
    ...(auth.audience === undefined ? {} : { audience: auth.audience }),
  };
  if (auth.kind === 'secret') return createJwtAuthenticator({ secret: auth.secret, ...claims });
  if (auth.issuer === undefined || auth.audience === undefined) {
    throw new Error('ROADMAP_JWKS_URL needs ROADMAP_JWT_ISSUER and ROADMAP_JWT_AUDIENCE');
  }
  return createJwksAuthenticator({ jwksUrl: auth.url, issuer: auth.issuer, audience: auth.audience });
}
