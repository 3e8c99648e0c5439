import type { RoadmapApiError } from './clientErrors.js';
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
   * The stream stopped for good (`closed`) because the server refuses it: 401 or 403 (the credential; the client's
   * `onAuthError` is told too) or 404 (the task does not exist, e.g. it was deleted). It does not reconnect.
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

/** Transport settings shared by every subscription of a client (resolved from the client's options). */
export interface SubscriptionSettings {
  createSocket: (url: string) => WebSocket;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** In [0, 1): scales each reconnect delay down by up to half (jitter). */
  random: () => number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A connection open this long resets the reconnect delay. */
  stableAfterMs: number;
  pingIntervalMs: number;
  /** Told when a stream stops because its credential was refused (see `RoadmapClientOptions.onAuthError`). */
  onAuthError: ((error: RoadmapApiError) => void) | undefined;
}

/**
 * Why a connection that never opened was refused, asked over REST (a browser's `WebSocket` does not show the
 * status of a refused upgrade): the 401, 403 or 404 the stream's REST twin answers with the token the next
 * connection would use, or `null` — then the refusal had another cause (the server was down, a rate limit) and the
 * stream keeps reconnecting.
 */
export type AccessCheck = () => Promise<RoadmapApiError | null>;

const terminalStatuses: readonly TaskStatus[] = ['completed', 'partial_failure', 'failed', 'cancelled'];

/**
 * Opens a self-healing event stream: reconnects with growing delays, resumes with `since` = the last `seq` seen,
 * drops what it already delivered, pings to keep proxies from idling the connection out.
 *
 * @param socketUrl builds the URL of each connection attempt (a fresh token each time) for a `since`.
 * @param stopOnTerminal stop, rather than reconnect, when the server closes because the task ended.
 * @param checkAccess asked after a connection closed without opening, while the reconnect waits: an error stops
 *   the stream (closed) and goes to `options.onRefused` (and a 401 or 403 to `settings.onAuthError`) instead of
 *   reconnecting forever with a refused token or to a task that is gone.
 */
export function openSubscription(
  settings: SubscriptionSettings,
  socketUrl: (since: number | undefined) => Promise<string>,
  options: TaskSubscriptionOptions,
  stopOnTerminal: boolean,
  checkAccess?: AccessCheck,
): Unsubscribe {
  const { setTimeout: schedule, clearTimeout: cancel } = settings;
  let lastSeq = options.since;
  let attempt = 0;
  let state: ConnectionState | undefined;
  let socket: WebSocket | undefined;
  let reconnectTimer: unknown;
  let pingTimer: unknown;
  let stableTimer: unknown;
  let terminal = false;
  let resync = false;

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  };

  const clearTimers = () => {
    for (const timer of [reconnectTimer, pingTimer, stableTimer]) if (timer !== undefined) cancel(timer);
    reconnectTimer = pingTimer = stableTimer = undefined;
  };

  const stop = () => {
    if (state === 'closed') return;
    clearTimers();
    const current = socket;
    socket = undefined;
    current?.close(1000);
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

  const ping = () => {
    pingTimer = schedule(() => {
      try {
        socket?.send('{"type":"ping"}');
      } catch {
        // Not open any more: the close handler reconnects.
      }
      ping();
    }, settings.pingIntervalMs);
  };

  const advance = (seq: number) => {
    lastSeq = Math.max(lastSeq ?? 0, seq);
  };

  const receive = (data: unknown) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data));
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
    let url: string;
    try {
      url = await socketUrl(lastSeq);
    } catch {
      // The token provider failed: try again later, like a failed connection.
      if (state !== 'closed') reconnect();
      return;
    }
    if (state === 'closed') return;
    const current = settings.createSocket(url);
    socket = current;
    let opened = false;
    current.onopen = () => {
      if (socket !== current) return;
      opened = true;
      setState('open');
      ping();
      stableTimer = schedule(() => {
        stableTimer = undefined;
        attempt = 0;
      }, settings.stableAfterMs);
    };
    current.onmessage = (message) => {
      if (socket === current) receive(message.data);
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      reconnect();
      // Closed before it opened: maybe refused for a token that will never be accepted again. Asked while the
      // reconnect waits (the check never rejects); a refusal stops the stream there.
      if (!opened)
        void checkAccess?.().then((refusal) => {
          if (refusal && state !== 'closed') {
            stop();
            if (refusal.status !== 404) settings.onAuthError?.(refusal);
            options.onRefused?.(refusal);
          }
        });
    };
    // Every failure is followed by `close`, which reconnects.
    current.onerror = () => {};
  };

  setState('connecting');
  void connect();
  return stop;
}
