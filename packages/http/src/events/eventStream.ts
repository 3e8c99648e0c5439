import { type ControlMessage, type RoadmapEngine, RoadmapError } from '@roadmap/core';
import { closeAtExpiry } from '../auth/tokenExpiry.js';
import { type EventHubSettings, eventHubOf } from './eventHub.js';
import { EventSubscription, type EventSubscriptionEnd, type EventTransport } from './eventSubscription.js';
import type { OutgoingMessage } from './outgoingMessage.js';
import { userConnectionsOf } from './userConnections.js';

/** What {@link openEventStream} follows, for whom, and for how long. */
export interface EventStreamOptions {
  /** The engine whose event log is followed. */
  engine: RoadmapEngine;
  /** The authenticated user: the user-wide stream carries every event of this user's tasks. */
  userId: string;
  /** One task's events (it must be the user's); absent for the user-wide stream. */
  taskId?: string;
  /**
   * The `seq` the client already holds — `Last-Event-ID` when the browser reconnects (it wins over the `since` of
   * the URL, which is the first connection's), else `?since=`. Every retained event after it is replayed before live
   * events; absent, the stream starts at the log's head. A whole number ≥ 0 (otherwise `invalid_input`).
   */
  since?: number;
  /** Milliseconds between two `: keep-alive` comment lines, which keep proxies from closing an idle stream. Default: 15 000. */
  keepAliveMs?: number;
  /**
   * When the credential the stream was opened with expires (ms since the epoch, on `now`'s clock): the stream then
   * sends `closing { reason: "token_expired" }` and ends. Absent: never.
   */
  expiresAt?: number;
  /** Aborted when the client goes away (or the server stops serving it): the stream ends and lets go of everything. */
  signal: AbortSignal;
  /**
   * Bytes the client may leave unread (queued in the stream, or buffered while its replay runs) before the stream is
   * failed, as a WebSocket client is closed with 1013; the client reconnects with `Last-Event-ID`. Default: 1 048 576.
   */
  maxBufferedBytes?: number;
  /**
   * Live connections one user may hold open at once in this process, counted together with the user's WebSockets
   * on the same engine; over it the stream is refused with `rate_limited`. `Infinity` turns the cap off. Default: 20.
   */
  maxConnectionsPerUser?: number;
  /** Events read per `listEvents` call of the replay. Default: 500. */
  pageSize?: number;
  /**
   * `seq` from which the event log is complete (`null`: nothing pruned). A `since` lower than this minus one gets
   * `resync` and a fresh `current_status` instead of a replay. Default: the engine's `eventLogStart()`.
   */
  oldestRetainedSeq?: () => number | null | Promise<number | null>;
  /** Current time in milliseconds, for `expiresAt`. Default: `Date.now`. */
  now?: () => number;
  /**
   * Settings of the engine's hub, which tails the log for every live connection of this process (WebSockets
   * included): they apply only when this call creates it. Default: see `eventHubOf`.
   */
  hub?: EventHubSettings;
  /** Receives errors that have no caller (the log could not be read during a replay). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** Response headers of an event stream (SPEC §8): the type, no caching, no buffering by proxies. */
export const eventStreamHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

const encoder = new TextEncoder();
const keepAliveComment = encoder.encode(': keep-alive\n\n');
/** The SSE frame of each event, built once and then enqueued as is on every stream that sends it. */
const frames = new WeakMap<OutgoingMessage, Uint8Array>();
/** The frames of a hub batch, joined once for every stream that sends the whole batch. */
const joinedFrames = new WeakMap<readonly OutgoingMessage[], Uint8Array>();

/**
 * One frame of the stream (SPEC §8): `id: <seq>`, `event: <type>`, `data: <the same JSON as the WebSocket message>`.
 * JSON has no raw line break, so `data` is always one line.
 */
function frame(seq: number, type: string, json: string): Uint8Array {
  return encoder.encode(`id: ${seq}\nevent: ${type}\ndata: ${json}\n\n`);
}

function frameOf(message: OutgoingMessage): Uint8Array {
  let built = frames.get(message);
  if (!built) {
    built = frame(message.event.seq, message.event.type, message.json);
    frames.set(message, built);
  }
  return built;
}

function framesOf(messages: readonly OutgoingMessage[]): Uint8Array {
  if (messages.length === 1) return frameOf(messages[0] as OutgoingMessage);
  let joined = joinedFrames.get(messages);
  if (!joined) {
    const parts = messages.map(frameOf);
    joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    joinedFrames.set(messages, joined);
  }
  return joined;
}

/**
 * Opens a live event stream of SPEC §8 — the Server-Sent Events twin of the WebSocket of §4, with the same messages,
 * replay, retention, `resync` and ownership — as the body of a `text/event-stream` response (see
 * {@link eventStreamHeaders}).
 *
 * Refused before any byte: `not_found` for an unknown task, `forbidden` for another user's, `rate_limited` when the
 * user already holds `maxConnectionsPerUser` live connections (WebSockets and streams together), `invalid_input`
 * for a bad `since`.
 *
 * Every frame carries `id:` — events their own `seq`, control messages (`connected`, `current_status`, `resync`,
 * `closing`) the latest `seq` delivered on the stream, as their `seq` field does. So the browser's `Last-Event-ID` is
 * always the point the client's view is complete up to: a reconnect from it replays nothing the client has and misses
 * nothing — even when the stream ended before its first event (`connected` carries the log's head). No `retry:` is
 * sent: the browser's default delay applies.
 *
 * A `: keep-alive` comment every `keepAliveMs`. The stream ends after `closing` on the task stream once the task is
 * terminal (clients should close their `EventSource` then, or it reconnects), and at `expiresAt` (`token_expired`);
 * it ends quietly when `signal` aborts or the reader cancels. A client that leaves more than `maxBufferedBytes`
 * unread makes the stream fail (its queue is dropped at once); `EventSource` then reconnects with `Last-Event-ID`.
 *
 * @example
 * ```ts
 * const body = await openEventStream({ engine, userId: user.userId, since: lastEventId, signal: request.signal });
 * return new Response(body, { headers: eventStreamHeaders });
 * ```
 */
export async function openEventStream(options: EventStreamOptions): Promise<ReadableStream<Uint8Array>> {
  const { engine, userId, signal, since } = options;
  const taskId = options.taskId ?? null;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const onError = options.onError ?? ((error: unknown) => console.error('[roadmap events]', error));
  signal.throwIfAborted();
  if (since !== undefined && !(Number.isSafeInteger(since) && since >= 0)) {
    throw new RoadmapError('invalid_input', 'since must be a whole number ≥ 0.');
  }
  const maxConnectionsPerUser = options.maxConnectionsPerUser ?? 20;
  // Taken before anything slow is awaited, so a burst cannot overshoot; given back once the stream ends.
  const release = userConnectionsOf(engine).acquire(userId, maxConnectionsPerUser);
  if (!release) {
    throw new RoadmapError('rate_limited', `Too many open connections: at most ${maxConnectionsPerUser} per user.`, {
      retryable: true,
    });
  }

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let stopExpiry = () => {};
  const enqueue = (chunk: Uint8Array) => {
    if (open) controller.enqueue(chunk);
  };
  const transport: EventTransport = {
    sendEvents: (messages) => enqueue(framesOf(messages)),
    sendControl: (message: ControlMessage) => enqueue(frame(message.seq, message.type, JSON.stringify(message))),
    // The queue is bounded by its byte size: `desiredSize` is the high-water mark minus what waits to be read.
    bufferedBytes: () => (open ? maxBufferedBytes - (controller.desiredSize ?? 0) : 0),
    end: (reason: EventSubscriptionEnd) => {
      if (!open) return;
      open = false;
      if (reason === 'slow_consumer' || reason === 'internal_error') {
        controller.error(
          reason === 'slow_consumer'
            ? new RoadmapError('rate_limited', 'The client left too many events unread: reconnect with Last-Event-ID.')
            : new RoadmapError('storage_error', 'The event log could not be read.'),
        );
      } else controller.close();
    },
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
      },
      cancel() {
        open = false;
        subscription.dispose();
      },
    },
    { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength },
  );
  // The client left: let go of everything, and end the stream for whoever still reads it.
  const onAbort = () => {
    subscription.dispose();
    if (!open) return;
    open = false;
    controller.close();
  };
  const subscription: EventSubscription = new EventSubscription({
    engine,
    hub: eventHubOf(engine, { onError, ...options.hub }),
    userId,
    taskId,
    since,
    maxBufferedBytes,
    pageSize: options.pageSize ?? 500,
    oldestRetainedSeq: options.oldestRetainedSeq ?? (() => engine.eventLogStart()),
    onError,
    onClosed: () => {
      release();
      if (keepAlive !== undefined) clearInterval(keepAlive);
      stopExpiry();
      signal.removeEventListener('abort', onAbort);
    },
    transport,
  });

  try {
    if (taskId !== null) {
      const task = await engine.getTask(taskId);
      if (!task) throw new RoadmapError('not_found', `Task ${taskId} does not exist.`);
      if (task.user_id !== userId) throw new RoadmapError('forbidden', 'This task belongs to another user.');
    }
    signal.throwIfAborted();
    await subscription.prepare();
    signal.throwIfAborted();
  } catch (error) {
    open = false;
    subscription.dispose();
    throw error;
  }

  signal.addEventListener('abort', onAbort, { once: true });
  keepAlive = setInterval(() => enqueue(keepAliveComment), keepAliveMs);
  (keepAlive as { unref?: () => void }).unref?.();
  if (options.expiresAt !== undefined) {
    stopExpiry = closeAtExpiry(options.expiresAt, options.now ?? Date.now, () => subscription.finish('token_expired'));
  }
  void subscription.run();
  return stream;
}
