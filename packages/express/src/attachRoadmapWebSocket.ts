import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RoadmapEngine, RoadmapError } from '@roadmap/core';
import {
  type Authenticate,
  checkRateLimit,
  closeAtExpiry,
  createMemoryRateLimitStore,
  defaultUpgradeRateLimit,
  eventHubOf,
  HttpError,
  isValidPathParameter,
  pathParameterFormats,
  type RateLimit,
  type RateLimitStore,
  userConnectionsOf,
} from '@roadmap/http';
import { WebSocketServer } from 'ws';
import { RoadmapSocket } from './roadmapSocket.js';
import { parseSince, parseUpgradeTarget, rejectUpgrade } from './upgradeRequest.js';

export interface RoadmapWebSocketOptions {
  /** Checks the `token` query parameter (and the request's headers) before the upgrade; `null` answers 401. */
  authenticate: Authenticate;
  /** Base path of the two endpoints: `{path}` (user-wide) and `{path}/{task_id}`. Default: `'/api/v1/ws'`. */
  path?: string;
  /**
   * How often the durable event log is polled for events written by other processes (workers), while at least one
   * client is connected. Events of the local engine are sent at once. Default: 250. The log is tailed by one hub per
   * engine in this process, shared with the event streams (`openEventStream`): this option and `batchWindowMs`
   * apply when the attachment is the first to use the engine's hub.
   */
  pollIntervalMs?: number;
  /**
   * Events appended within this many milliseconds of the previous fan-out are sent together: each client then gets
   * one write per window instead of one per event, which is what keeps a busy stream to thousands of clients
   * within one core. The most it adds to an event's delivery time. `0` sends at every wake-up. Default: 10.
   */
  batchWindowMs?: number;
  /** Keep-alive: a WebSocket ping frame this often; a client that has not answered the previous one is dropped. Default: 30 000. */
  pingIntervalMs?: number;
  /**
   * Bytes a client may leave unread (queued on its socket, or buffered while its replay runs) before it is closed
   * with 1013 (try again later); it resumes with `since`. Bounds the server's memory per client. Default: 1 048 576.
   */
  maxBufferedBytes?: number;
  /** Largest client message in bytes; a bigger one closes the connection with 1009. Default: 4096. */
  maxMessageBytes?: number;
  /** Events read per `listEvents` call, by replays (and by the hub when this attachment creates it). Default: 500. */
  pageSize?: number;
  /**
   * `seq` from which the event log is complete (`null`: nothing was pruned, every `since` can be replayed). A client
   * whose `since` is lower than this minus one gets `resync` and a fresh `current_status` instead of a replay.
   * Default: the engine's `eventLogStart()`, which follows its `eventRetentionMs` (`null` without it).
   */
  oldestRetainedSeq?: () => number | null | Promise<number | null>;
  /**
   * Upgrades each user may ask for per window, both endpoints together, counted once the token is checked: over it
   * the upgrade is refused with 429 and `Retry-After` before anything else is read. Default: 60 a minute.
   */
  upgradeRateLimit?: RateLimit;
  /**
   * Live connections one user may hold open at once, both endpoints together, and counted together with the user's
   * event streams (SSE) on the same engine; one more upgrade is refused with 429 (`code: 'too_many_connections'`)
   * until one of them closes. Counted per process: with several API processes behind a load balancer a user may
   * hold this many on each. `Infinity` turns the cap off. Default: 20.
   */
  maxConnectionsPerUser?: number;
  /**
   * Where upgrade counts live; pass the router's `rateLimitStore` (e.g. `createRedisRateLimitStore`) to share them
   * between API processes. Default: this process's memory.
   */
  rateLimitStore?: RateLimitStore;
  /** Current time in milliseconds, for rate-limit windows and `Retry-After`. Default: `Date.now`. */
  now?: () => number;
  /** Receives errors that have no caller (storage failures while tailing the log or replaying). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

export interface RoadmapWebSocket {
  /**
   * Sends `closing { reason: 'server_shutdown' }` to every client, closes them (1001), and stops the engine's hub
   * unless event streams still listen to it.
   */
  close(): Promise<void>;
  /**
   * WebSocket clients connected now; with `userId`, the connections that user holds as the per-user cap counts them
   * (open sockets, upgrades admitted but not answered yet, and the user's event streams on the same engine).
   */
  clients(userId?: string): number;
}

/**
 * Serves the WebSocket API of SPEC §4 on `server`: `GET /api/v1/ws/{task_id}?token=&since=` (one task's events)
 * and `GET /api/v1/ws?token=&since=` (every event of the user's tasks).
 *
 * @example
 * ```ts
 * const server = app.listen(3000);
 * const sockets = attachRoadmapWebSocket(server, engine, {
 *   authenticate: createJwtAuthenticator({ secret: process.env.ROADMAP_JWT_SECRET }),
 * });
 * // on shutdown
 * await sockets.close();
 * ```
 */
export function attachRoadmapWebSocket(
  server: Server,
  engine: RoadmapEngine,
  options: RoadmapWebSocketOptions,
): RoadmapWebSocket {
  const path = options.path ?? '/api/v1/ws';
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  const pageSize = options.pageSize ?? 500;
  const onError = options.onError ?? ((error: unknown) => console.error('[roadmap websocket]', error));
  const now = options.now ?? Date.now;
  const rateLimitStore = options.rateLimitStore ?? createMemoryRateLimitStore({ now });
  const upgradeRateLimit = options.upgradeRateLimit ?? defaultUpgradeRateLimit;
  const hub = eventHubOf(engine, {
    pollIntervalMs: options.pollIntervalMs ?? 250,
    pageSize,
    batchWindowMs: options.batchWindowMs ?? 10,
    onError,
  });
  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 4096,
    perMessageDeflate: false,
  });
  const connections = new Set<RoadmapSocket>();
  const userConnections = userConnectionsOf(engine);
  const maxConnectionsPerUser = options.maxConnectionsPerUser ?? 20;
  let closed = false;

  const keepAlive = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  keepAlive.unref();

  async function admit(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = parseUpgradeTarget(request.url, path);
    if (!target) return;
    socket.on('error', () => socket.destroy());
    if (closed) return rejectUpgrade(socket, 503, 'unavailable', 'The server is shutting down.');
    const user = await options.authenticate({
      headers: request.headers,
      ...(target.token !== undefined ? { token: target.token } : {}),
    });
    if (!user) return rejectUpgrade(socket, 401, 'unauthorized', 'A valid token is required.');
    const retryAfterSeconds = await checkRateLimit(rateLimitStore, 'websocket', user.userId, upgradeRateLimit, now);
    if (retryAfterSeconds !== null) {
      return rejectUpgrade(socket, 429, 'rate_limited', `Too many connections: try again in ${retryAfterSeconds} s.`, {
        'Retry-After': String(retryAfterSeconds),
      });
    }
    // Taken before anything slow is awaited, given back when the socket closes (refused below, or done).
    const release = userConnections.acquire(user.userId, maxConnectionsPerUser);
    if (!release) {
      return rejectUpgrade(
        socket,
        429,
        'too_many_connections',
        `Too many open connections: at most ${maxConnectionsPerUser} per user.`,
      );
    }
    if (socket.destroyed) release();
    else socket.once('close', release);
    const since = parseSince(target.since);
    if (since === null) return rejectUpgrade(socket, 400, 'invalid_input', 'since must be a whole number ≥ 0.');
    if (target.taskId !== null && !isValidPathParameter('taskId', target.taskId)) {
      return rejectUpgrade(
        socket,
        400,
        'invalid_input',
        `The task_id must be ${pathParameterFormats.taskId.description}.`,
      );
    }
    if (target.taskId !== null) {
      const task = await engine.getTask(target.taskId);
      if (!task) return rejectUpgrade(socket, 404, 'not_found', `Task ${target.taskId} does not exist.`);
      if (task.user_id !== user.userId) {
        return rejectUpgrade(socket, 403, 'forbidden', 'This task belongs to another user.');
      }
    }
    if (closed || socket.destroyed) return rejectUpgrade(socket, 503, 'unavailable', 'The server is shutting down.');
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new RoadmapSocket({
        socket: webSocket,
        engine,
        hub,
        userId: user.userId,
        taskId: target.taskId,
        since,
        maxBufferedBytes,
        pageSize,
        oldestRetainedSeq: options.oldestRetainedSeq ?? (() => engine.eventLogStart()),
        onError,
        onClosed: (done) => {
          connections.delete(done);
          release();
          stopExpiry();
        },
      });
      const stopExpiry =
        user.expiresAt === undefined
          ? () => {}
          : closeAtExpiry(user.expiresAt, now, () => connection.finish('token_expired'));
      connections.add(connection);
      void connection.start();
    });
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    admit(request, socket, head).catch((error: unknown) => {
      if (RoadmapError.isInstance(error) && error.code === 'forbidden') {
        return rejectUpgrade(socket, 403, 'forbidden', 'This task belongs to another user.');
      }
      // E.g. 503 from an authenticator whose identity provider is down.
      if (error instanceof HttpError) {
        if (error.status >= 500) onError(error);
        return rejectUpgrade(socket, error.status, error.body.code, error.body.detail, error.headers);
      }
      onError(error);
      rejectUpgrade(socket, 500, 'internal_error', 'The connection could not be opened.');
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    clients: (userId) => (userId === undefined ? connections.size : userConnections.count(userId)),
    async close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      clearInterval(keepAlive);
      const sockets = [...connections].map((connection) => connection.socket);
      for (const connection of [...connections]) connection.finish('server_shutdown');
      // The hub is the engine's, shared with event streams: stopped (so no read is left in flight at shutdown) only
      // when no stream listens any more; the next stream gets a new one.
      if (hub.size === 0) hub.close();
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              const timer = setTimeout(() => socket.terminate(), 1000);
              socket.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
      await new Promise<void>((resolve) => webSocketServer.close(() => resolve()));
    },
  };
}
