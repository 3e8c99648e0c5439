import { RoadmapApiError } from './clientErrors.js';
import type { CurrentStatusMessage, ResyncMessage, RoadmapEvent, ServerMessage, TaskStatus } from './wireTypes.js';

/** Where a subscription's connection stands. `closed` is final. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Stops a subscription: closes the socket normally and cancels every pending timer. Safe to call twice. */
export type Unsubscribe = () => void;

export interface EventSubscriptionOptions {
  /** Deliver retained events with a larger `seq` first (replay). Default: none, only what happens from now on. */
  since?: number;
  /** Each event once, in `seq` order, across reconnects. */
  onEvent: (event: RoadmapEvent) => void;
  /**
   * A task's `current_status`: on connect (task endpoint), on request, and after a `resync` (the `since` was older
   * than the retained log, so events may be missing: `info.resync` is `true` and the status is the truth).
   */
  onStatus?: (status: CurrentStatusMessage, info: { resync: boolean }) => void;
  /**
   * The server could not replay from this stream's `since` (older than the retained log — events of finished tasks
   * are pruned after a while — or ahead of it): events may be missing, so reload what is shown. `current_status`
   * of the task (task stream) or of each active task (user stream) follows.
   */
  onResync?: (reason: ResyncMessage['reason']) => void;
  /** `connecting` → `open` → (`reconnecting` → `open`)* → `closed`. */
  onStateChange?: (state: ConnectionState) => void;
  /**
   * The server refused the stream: 403 (the task is not the caller's) or 404 (it does not exist, e.g. it was
   * deleted) stop it for good (`closed`); 401 (the token expired or was revoked) stops it too when the client's
   * `token` is a fixed string, and with a token function keeps it `reconnecting` without connecting until the
   * function returns another token, which resumes it. 401 and 403 go to the client's `onAuthError` too.
   */
  onRefused?: (error: RoadmapApiError) => void;
}

export interface TaskSubscriptionOptions extends EventSubscriptionOptions {
  /**
   * Keep reconnecting after the server closed the stream because the task ended, so a later retry of the task is
   * followed too. Default: `false` (the subscription closes after the terminal event).
   */
  followRetries?: boolean;
}

/** The callbacks of one connection attempt, from its transport to its subscription. */
export interface ConnectionHandlers {
  /** The server accepted the stream. */
  onOpen: () => void;
  /** One message: a WebSocket message's text, or an SSE event's `data` (the same JSON). */
  onMessage: (data: string) => void;
  /** The connection ended, or never opened. Nothing is called after it. */
  onClose: () => void;
  /**
   * The server refused the stream with the token this attempt used: 401, 403 or 404. May come after `onClose` (a
   * refused WebSocket upgrade shows no status: the client asks the stream's REST twin while the reconnect waits).
   */
  onRefused: (error: RoadmapApiError) => void;
  /**
   * Bytes arrived that carry no message (an SSE keep-alive comment): the connection is alive. Messages count as
   * activity on their own.
   */
  onActivity?: () => void;
}

/** One connection attempt, open or opening. */
export interface StreamConnection {
  /** Ends it at once (a normal close, or the request aborted); no handler runs after. */
  close: () => void;
  /** Sends a message to the server: WebSocket only (an SSE stream only receives). */
  send?: (data: string) => void;
}

/** Transport settings shared by every subscription of a client (resolved from the client's options). */
export interface SubscriptionSettings {
  /** The token of the next connection attempt, asked at each attempt. */
  token: () => Promise<string | undefined>;
  /** False when the token can never change (a fixed string, or none): a refused stream then stops for good. */
  tokenCanChange: boolean;
  /** Opens one connection for a `since` with a token, over the transport the client uses now. */
  open: (since: number | undefined, token: string | undefined, handlers: ConnectionHandlers) => StreamConnection;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** In [0, 1): scales each reconnect delay down by up to half (jitter). */
  random: () => number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A connection open this long resets the reconnect delay. */
  stableAfterMs: number;
  pingIntervalMs: number;
  /**
   * An open connection that receives nothing (no message, no SSE keep-alive comment) through one whole period of this
   * length is taken for dead — a proxy or a sleeping laptop can cut a stream without either end seeing it close — and
   * replaced, resuming from the last `seq`: silence is noticed after one to two periods. One timer per period checks
   * a flag each message sets, so a busy stream does not re-arm a timer per message. Default: 45 s or twice
   * `pingIntervalMs`, whichever is longer (the server comments every 15 s on an event stream and answers each
   * WebSocket ping).
   */
  idleTimeoutMs?: number;
  /** Told when a stream is refused for its credential (401, 403) with the token refused. */
  onAuthError: (error: RoadmapApiError, token: string | undefined) => void;
}

const terminalStatuses: readonly TaskStatus[] = ['completed', 'partial_failure', 'failed', 'cancelled'];

/** Nothing refused: tokens are strings or `undefined`, so `null` cannot be one. */
const none = null;

/**
 * Opens a self-healing event stream: reconnects with growing delays, resumes with `since` = the last `seq` seen,
 * drops what it already delivered, pings a WebSocket to keep proxies from idling the connection out.
 *
 * A refusal (see {@link ConnectionHandlers.onRefused}) never loops: a 403 or 404 stops the stream (`closed`), and so
 * does a 401 when the token cannot change. A 401 with a token function — or a `closing { reason: "token_expired" }`
 * after which the function still returns the expired token — is reported once (`settings.onAuthError`,
 * `options.onRefused`) and the stream stays `reconnecting` without connecting: at each reconnect delay it asks the
 * token function again, and a different token resumes it from its last `seq`.
 *
 * @param stopOnTerminal stop, rather than reconnect, when the server closes because the task ended.
 */
export function openSubscription(
  settings: SubscriptionSettings,
  options: TaskSubscriptionOptions,
  stopOnTerminal: boolean,
): Unsubscribe {
  const { setTimeout: schedule, clearTimeout: cancel } = settings;
  let lastSeq = options.since;
  let attempt = 0;
  let state: ConnectionState | undefined;
  let connection: StreamConnection | undefined;
  let reconnectTimer: unknown;
  let pingTimer: unknown;
  let stableTimer: unknown;
  let idleTimer: unknown;
  /** Something arrived since the idle timer was last armed. */
  let alive = false;
  const idleTimeoutMs = settings.idleTimeoutMs ?? Math.max(45_000, 2 * settings.pingIntervalMs);
  let terminal = false;
  let resync = false;
  /** The token of the latest attempt. */
  let lastToken: string | undefined;
  /** A token the server refused (401): no connection is made with it again. */
  let refusedToken: string | undefined | null = none;
  /** The token a connection was closed for (`token_expired`): refused if the token function returns it again. */
  let expiredToken: string | undefined | null = none;

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  };

  const clearTimers = () => {
    for (const timer of [reconnectTimer, pingTimer, stableTimer, idleTimer]) if (timer !== undefined) cancel(timer);
    reconnectTimer = pingTimer = stableTimer = idleTimer = undefined;
  };

  const disconnect = () => {
    const current = connection;
    connection = undefined;
    current?.close();
  };

  const stop = () => {
    if (state === 'closed') return;
    clearTimers();
    disconnect();
    setState('closed');
  };

  const reconnect = () => {
    clearTimers();
    const delay = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** attempt);
    attempt += 1;
    setState('reconnecting');
    reconnectTimer = schedule(
      () => {
        reconnectTimer = undefined;
        void connect();
      },
      Math.round(delay * (1 - settings.random() / 2)),
    );
  };

  const refuse = (error: RoadmapApiError, token: string | undefined) => {
    // Too late (stopped), or about a token this stream no longer uses.
    if (state === 'closed' || token !== lastToken) return;
    if (error.status === 401 && settings.tokenCanChange) {
      refusedToken = token;
      disconnect();
      // A refused socket's close already scheduled the next attempt.
      if (reconnectTimer === undefined) reconnect();
    } else stop();
    if (error.status !== 404) settings.onAuthError(error, token);
    options.onRefused?.(error);
  };

  const ping = () => {
    pingTimer = schedule(() => {
      try {
        connection?.send?.('{"type":"ping"}');
      } catch {
        // Not open any more: the close handler reconnects.
      }
      ping();
    }, settings.pingIntervalMs);
  };

  const advance = (seq: number) => {
    lastSeq = Math.max(lastSeq ?? 0, seq);
  };

  const receive = (data: string) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.seq !== 'number') return;
    switch (message.type) {
      case 'resync':
        // The server restarted its count for this connection (`since` too old, or ahead of its log).
        lastSeq = message.seq;
        resync = true;
        options.onResync?.(message.reason);
        return;
      case 'current_status':
        advance(message.seq);
        terminal = terminalStatuses.includes(message.status);
        options.onStatus?.(message, { resync });
        return;
      case 'closing':
        advance(message.seq);
        if (message.reason === 'token_expired') expiredToken = lastToken;
        if (stopOnTerminal && !options.followRetries && (terminal || message.reason.startsWith('task_'))) stop();
        return;
      case 'connected':
      case 'pong':
        advance(message.seq);
        return;
      default:
        if (lastSeq !== undefined && message.seq <= lastSeq) return;
        lastSeq = message.seq;
        resync = false;
        if (message.type === 'failed' || message.type === 'cancelled') terminal = true;
        else if (message.type === 'progress' || message.type === 'completed') {
          terminal = terminalStatuses.includes(message.status);
        }
        options.onEvent(message);
    }
  };

  const connect = async () => {
    let token: string | undefined;
    try {
      token = await settings.token();
    } catch {
      // The token provider failed: try again later, like a failed connection.
      if (state !== 'closed') reconnect();
      return;
    }
    if (state === 'closed') return;
    lastToken = token;
    if (token === expiredToken) {
      // The server closed the last connection because this token expired, and no newer one came.
      return refuse(new RoadmapApiError('The token expired.', { status: 401, code: 'token_expired' }), token);
    }
    // Still the refused token: wait for another one without connecting.
    if (token === refusedToken) return reconnect();
    refusedToken = expiredToken = none;
    /** Arms the idle check: a period with no sign of life replaces the connection, any other arms the next check. */
    const watchIdle = () => {
      alive = false;
      idleTimer = schedule(() => {
        idleTimer = undefined;
        if (connection !== current) return;
        if (alive) return watchIdle();
        disconnect();
        reconnect();
      }, idleTimeoutMs);
    };
    const handlers: ConnectionHandlers = {
      onOpen: () => {
        if (connection !== current) return;
        setState('open');
        watchIdle();
        if (current.send) ping();
        stableTimer = schedule(() => {
          stableTimer = undefined;
          attempt = 0;
        }, settings.stableAfterMs);
      },
      onMessage: (data) => {
        if (connection !== current) return;
        alive = true;
        receive(data);
      },
      onActivity: () => {
        if (connection === current) alive = true;
      },
      onClose: () => {
        if (connection !== current) return;
        connection = undefined;
        reconnect();
      },
      onRefused: (error) => refuse(error, token),
    };
    // Handlers never run during `open` itself (a socket's events and a fetch's answer come later).
    const current = settings.open(lastSeq, token, handlers);
    connection = current;
  };

  setState('connecting');
  void connect();
  return stop;
}
