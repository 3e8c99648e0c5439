import type { RoadmapEngine } from '@roadmap/core';
import { OutgoingMessage } from './outgoingMessage.js';

// One hub per engine for every live transport of a process (WebSocket, Server-Sent Events), so that the durable log
// is polled once however many transports and clients follow it.

/**
 * Receives every event the hub reads, in `seq` order, in batches: each event serialized and framed once for all
 * listeners.
 *
 * @internal
 */
export type EventHubListener = (batch: readonly OutgoingMessage[]) => void;

/**
 * How the event hub of an engine tails the durable log (see `openEventStream`'s `hub` option); each has a default.
 */
export interface EventHubSettings {
  /** How often the durable log is polled while someone listens (events of other processes). Default: 250. */
  pollIntervalMs?: number;
  /** Events read per `listEvents` call. Default: 500. */
  pageSize?: number;
  /**
   * A read starts at most this long after the previous one started: events appended in between are fanned out
   * together, so each client gets one write per window instead of one per event. `0` reads at every wake-up.
   * Default: 10.
   */
  batchWindowMs?: number;
  /** Receives the errors of reading the log (the next wake-up tries again). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * How a hub tails the log: every setting given.
 *
 * @internal Used by the transports of `@roadmap/http` and `@roadmap/express`; not for applications.
 */
export interface EventHubOptions extends Required<EventHubSettings> {
  /** The engine whose log is tailed. */
  engine: RoadmapEngine;
}

const hubs = new WeakMap<RoadmapEngine, EventHub>();

/**
 * The hub of `engine` in this process, created on first use with `settings` (defaults: poll every 250 ms, pages of
 * 500 events, a 10 ms batch window, errors to `console.error`). Later calls get the same hub whatever settings they
 * pass: the first transport to start (usually the WebSocket attachment, created with the server) sets them. The hub
 * lives as long as its engine; while nobody listens it neither polls nor reads.
 *
 * @internal Shared by the WebSocket and the event-stream transports.
 */
export function eventHubOf(engine: RoadmapEngine, settings: EventHubSettings = {}): EventHub {
  let hub = hubs.get(engine);
  if (!hub || hub.isClosed) {
    hub = new EventHub({
      engine,
      pollIntervalMs: settings.pollIntervalMs ?? 250,
      pageSize: settings.pageSize ?? 500,
      batchWindowMs: settings.batchWindowMs ?? 10,
      onError: settings.onError ?? ((error: unknown) => console.error('[roadmap events]', error)),
    });
    hubs.set(engine, hub);
  }
  return hub;
}

/**
 * Tails the durable event log in `seq` order and fans every event out to its listeners.
 *
 * It polls `engine.listEvents({ after: cursor })` every `pollIntervalMs` while it has listeners (events written by
 * other processes arrive within one interval) and reads at once when the local engine emits (local events arrive
 * immediately — within `batchWindowMs` of the previous read). The engine's emitted event is only a wake-up:
 * everything is read back from the log, so listeners see one order — the log's — whichever process wrote the event.
 *
 * @internal Get the shared one with {@link eventHubOf}.
 */
export class EventHub {
  /** `seq` of the last event read from the log: every later event will be fanned out. */
  cursor = 0;
  private readonly listeners = new Set<EventHubListener>();
  private readonly options: EventHubOptions;
  private pumping: Promise<boolean> | null = null;
  private again = false;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** When the last read started (`performance.now()`), for the batch window. */
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private readonly unsubscribe: () => void;
  private readonly started: Promise<boolean>;

  constructor(options: EventHubOptions) {
    this.options = options;
    this.unsubscribe = options.engine.subscribe(() => {
      if (this.listeners.size > 0) void this.wake();
    });
    // The first read moves the cursor to the end of the log without fanning anything out: the hub starts live.
    this.started = this.wake();
  }

  /** Listeners now. */
  get size(): number {
    return this.listeners.size;
  }

  /** True once {@link EventHub.close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Reads the log up to its end (as of a moment after this call) and fans out what is new. Resolves when done.
   * Concurrent calls share one reader; a call made while it runs makes it read once more. Resolves `false` when
   * reading failed (the error went to `onError`; the next wake tries again).
   */
  async wake(): Promise<boolean> {
    if (this.closed) return false;
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  /** Brings the cursor to the log's current end: afterwards, every event appended later reaches the listeners. */
  async catchUp(): Promise<void> {
    await this.started;
    if (!(await this.wake())) throw new Error('The event log could not be read.');
  }

  /** Adds a listener; it receives every event read from now on. Returns the function that removes it. */
  listen(listener: EventHubListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startTimer();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer();
    };
  }

  /** Stops for good: no more reads, listeners dropped. {@link eventHubOf} then makes a new hub for the engine. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    this.unsubscribe();
    this.listeners.clear();
  }

  private startTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.wake(), this.options.pollIntervalMs);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pump(): Promise<boolean> {
    do {
      const wait = this.lastReadAt + this.options.batchWindowMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.closed) return false;
      this.again = false;
      this.lastReadAt = performance.now();
      try {
        await this.readToEnd();
      } catch (error) {
        this.options.onError(error);
        return false;
      }
    } while (this.again && !this.closed);
    return !this.closed;
  }

  private async readToEnd(): Promise<void> {
    const { engine, pageSize } = this.options;
    for (;;) {
      const page = await engine.listEvents({ after: this.cursor, limit: pageSize });
      if (this.closed) return;
      const batch: OutgoingMessage[] = [];
      for (const event of page) {
        if (event.seq <= this.cursor) continue;
        this.cursor = event.seq;
        if (this.listeners.size > 0) batch.push(new OutgoingMessage(event));
      }
      if (batch.length > 0) {
        for (const listener of this.listeners) {
          try {
            listener(batch);
          } catch (error) {
            this.options.onError(error);
          }
        }
      }
      if (page.length < pageSize) return;
    }
  }
}
