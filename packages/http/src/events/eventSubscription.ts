import type {
  ClosingReason,
  ControlMessage,
  ResyncReason,
  RoadmapEngine,
  RoadmapEvent,
  Task,
  TaskStatus,
} from '@roadmap/core';
import { isoTime } from '@roadmap/core/internal';
import { type ControlFields, toCurrentStatusMessage } from '../wire/wireFormat.js';
import type { EventHub } from './eventHub.js';
import { OutgoingMessage } from './outgoingMessage.js';

/**
 * Why a live connection ends: after a `closing { reason }` message (a {@link ClosingReason}), or without one — the
 * client left unread more than its buffer allows (`slow_consumer`), or the server failed (`internal_error`). Each
 * transport maps it to its own way of closing (a WebSocket close code; the end or the failure of an event stream).
 *
 * @internal
 */
export type EventSubscriptionEnd = ClosingReason | 'slow_consumer' | 'internal_error';

/**
 * What a live connection writes to: a WebSocket, an event stream. The subscription decides what is sent and when;
 * the transport only frames and writes.
 *
 * @internal
 */
export interface EventTransport {
  /**
   * Writes stored events, in order. When every event of a hub batch is sent, `messages` is the hub's own array,
   * the same for every client: a transport may frame a batch once for all of them (cache by the array).
   */
  sendEvents(messages: readonly OutgoingMessage[]): void;
  /** Writes a control message. */
  sendControl(message: ControlMessage): void;
  /** Bytes written to the connection that the client has not read yet. */
  bufferedBytes(): number;
  /** Closes the connection; called once, and after the last write. */
  end(reason: EventSubscriptionEnd): void;
}

/** @internal What a subscription follows and where it writes. */
export interface EventSubscriptionOptions {
  /** The engine whose log is followed. */
  engine: RoadmapEngine;
  /** The engine's hub (`eventHubOf(engine)`). */
  hub: EventHub;
  /** The connected user: the user-wide endpoint sends every event of this user's tasks. */
  userId: string;
  /** The task of the task endpoint; `null` on the user-wide endpoint. Its owner must be checked before. */
  taskId: string | null;
  /** The `seq` the client already holds (`since`, `Last-Event-ID`); `undefined` starts at the log's head. */
  since: number | undefined;
  /** Bytes the client may leave unread (on the connection, or buffered while the replay runs) before it is closed. */
  maxBufferedBytes: number;
  /** Events read per `listEvents` call of the replay. */
  pageSize: number;
  /** `seq` from which the log is complete (`null`: nothing pruned); an older `since` gets `resync`. */
  oldestRetainedSeq: (() => number | null | Promise<number | null>) | undefined;
  /** Receives errors that have no caller (storage failures while replaying). */
  onError: (error: unknown) => void;
  /** Called once when the subscription ends, whichever side ended it. */
  onClosed: (subscription: EventSubscription) => void;
  /** Where messages go. */
  transport: EventTransport;
}

const terminalStatuses: ReadonlySet<TaskStatus> = new Set(['completed', 'partial_failure', 'failed', 'cancelled']);
/** How long a replay waits for a client to read what was sent before giving up (`slow_consumer`). */
const drainTimeoutMs = 30_000;
const drainCheckMs = 5;
/** Status-list limit of `current_status` on the user-wide endpoint (the user's pending and processing tasks). */
const userStatusLimit = 100;

/**
 * One live connection of the task or user endpoint, whatever its transport: `connected`, `current_status`, the
 * replay after `since`, then live events from the hub — each event at most once, in `seq` order, with nothing
 * missing in between (SPEC §4, §8).
 *
 * @internal The WebSocket of `@roadmap/express` and `openEventStream` are its two transports.
 */
export class EventSubscription {
  /**
   * `seq` of the latest event delivered to this client: its `since` until one is, or — without `since`, or after a
   * `resync` — the log's head when it connected. Every control message carries it.
   */
  lastSeq = 0;
  private phase: 'setup' | 'replaying' | 'live' | 'closed' = 'setup';
  private resync: ResyncReason | null = null;
  private buffer: OutgoingMessage[] = [];
  private bufferedBytes = 0;
  private status: TaskStatus | null = null;
  /** The task was deleted (its `deleted` event went out): the task endpoint closes like at a terminal status. */
  private deleted = false;
  private stopListening: (() => void) | undefined;
  private readonly options: EventSubscriptionOptions;

  constructor(options: EventSubscriptionOptions) {
    this.options = options;
  }

  /** True once it ended. */
  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * Catches the hub up, decides between replay and `resync`, and starts buffering live events. Sends nothing, so a
   * transport can still refuse the connection when it throws (the event log cannot be read).
   */
  async prepare(): Promise<void> {
    const { hub, since } = this.options;
    await hub.catchUp();
    if (this.isClosed) return;
    const resync = since === undefined ? null : await this.resyncReason(since);
    if (this.isClosed) return;
    this.resync = resync;
    // Listen before reading anything: events appended from now on reach the buffer, the replay reads the rest.
    this.stopListening = hub.listen((batch) => this.receive(batch));
    // Without `since` (or after a resync) the client starts at the log's head: read in the same synchronous step
    // as `listen`, so every later event reaches the buffer and none before it is sent. Control messages then
    // carry that head, and a client reconnecting from it replays nothing it already knows (SPEC §4).
    this.lastSeq = since === undefined || resync ? hub.cursor : since;
    this.phase = 'replaying';
  }

  /** Sends `connected`, `resync` and `current_status` as due, the replay, then switches to live events. */
  async run(): Promise<void> {
    const { since, taskId } = this.options;
    try {
      if (this.phase !== 'replaying') return;
      this.sendControl((fields) => ({ type: 'connected', ...fields }));
      const resync = this.resync;
      if (resync) this.sendControl((fields) => ({ type: 'resync', ...fields, reason: resync }));
      if (taskId !== null || resync) await this.sendStatus(true);
      if (since !== undefined && !resync) await this.replay();
      this.goLive();
    } catch (error) {
      this.options.onError(error);
      this.close('internal_error');
    }
  }

  /** {@link prepare}, then {@link run}; a failure ends the connection with `internal_error`. */
  async start(): Promise<void> {
    try {
      await this.prepare();
    } catch (error) {
      this.options.onError(error);
      this.close('internal_error');
      return;
    }
    await this.run();
  }

  /** Says why it closes (`closing { reason }`), then ends the connection. */
  finish(reason: ClosingReason): void {
    if (this.isClosed) return;
    this.sendControl((fields) => ({ type: 'closing', ...fields, reason }));
    this.close(reason);
  }

  /** Ends the connection without a `closing` message. */
  close(reason: EventSubscriptionEnd): void {
    if (this.isClosed) return;
    this.dispose();
    this.options.transport.end(reason);
  }

  /** The connection is gone (the client left): stop listening and sending. Safe to call more than once. */
  dispose(): void {
    if (this.isClosed) return;
    this.phase = 'closed';
    this.stopListening?.();
    this.buffer = [];
    this.bufferedBytes = 0;
    this.options.onClosed(this);
  }

  /** Answers a client's `ping` (ignored before `connected` was sent). */
  pong(): void {
    if (this.phase === 'setup') return;
    this.sendControl((fields) => ({ type: 'pong', ...fields }));
  }

  /**
   * `current_status` of the task, or of each of the user's pending and processing tasks (user endpoint); `initial`
   * on connect, where the task's status also decides when the task endpoint closes.
   */
  async sendStatus(initial = false): Promise<void> {
    if (this.phase === 'setup') return;
    const { engine, taskId, userId } = this.options;
    let tasks: Task[];
    if (taskId !== null) {
      const task = await engine.getTask(taskId);
      tasks = task ? [task] : [];
      if (initial && task) this.status = task.status;
    } else {
      tasks = (await engine.listTasks({ userId, statuses: ['pending', 'processing'], limit: userStatusLimit })).tasks;
    }
    for (const task of tasks) {
      this.sendControl((fields) => toCurrentStatusMessage(task, fields));
    }
  }

  private async resyncReason(since: number): Promise<ResyncReason | null> {
    if (since > this.options.hub.cursor) return 'since_ahead_of_log';
    const oldest = await this.options.oldestRetainedSeq?.();
    if (oldest !== undefined && oldest !== null && since < oldest - 1) return 'since_before_retained_log';
    return null;
  }

  private matches(event: RoadmapEvent): boolean {
    const { taskId, userId } = this.options;
    return taskId === null ? event.user_id === userId : event.task_id === taskId;
  }

  /** Events from the hub: buffered while the replay runs, sent when live. */
  private receive(batch: readonly OutgoingMessage[]): void {
    if (this.phase === 'live') {
      const matching = batch.filter((message) => this.matches(message.event));
      // The hub's own array when every event matches: its joined frames are then built once for all such clients.
      this.deliver(matching.length === batch.length ? batch : matching);
    } else if (this.phase === 'replaying') {
      for (const message of batch) {
        if (!this.matches(message.event) || message.event.seq <= this.lastSeq) continue;
        this.buffer.push(message);
        this.bufferedBytes += message.json.length;
      }
      if (this.bufferedBytes > this.options.maxBufferedBytes) this.close('slow_consumer');
    }
  }

  private async replay(): Promise<void> {
    const { engine, taskId, userId, pageSize, transport, maxBufferedBytes } = this.options;
    for (;;) {
      const page = await engine.listEvents({
        ...(taskId === null ? { userId } : { taskId }),
        after: this.lastSeq,
        limit: pageSize,
      });
      for (const event of page) {
        if (transport.bufferedBytes() > maxBufferedBytes / 2 && !(await this.drain())) return;
        if (this.phase !== 'replaying') return;
        this.deliver([new OutgoingMessage(event)]);
      }
      if (page.length < pageSize || this.phase !== 'replaying') return;
    }
  }

  /** Waits until the client has read half of what is queued; `false` (and closed) when it does not. */
  private async drain(): Promise<boolean> {
    const { transport, maxBufferedBytes } = this.options;
    const deadline = Date.now() + drainTimeoutMs;
    while (transport.bufferedBytes() > maxBufferedBytes / 2) {
      if (this.isClosed) return false;
      if (Date.now() > deadline) {
        this.close('slow_consumer');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, drainCheckMs));
    }
    return !this.isClosed;
  }

  private goLive(): void {
    if (this.phase !== 'replaying') return;
    const buffered = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.deliver(buffered);
    if (this.isClosed) return;
    this.phase = 'live';
    this.closeIfTerminal();
  }

  /**
   * Sends the messages not yet delivered, in one write. Live on the task endpoint, a terminal event ends the batch:
   * what follows it is not sent, `closing` is.
   */
  private deliver(messages: readonly OutgoingMessage[]): void {
    if (this.isClosed) return;
    const { transport, maxBufferedBytes, taskId } = this.options;
    let start = 0;
    while (start < messages.length && (messages[start] as OutgoingMessage).event.seq <= this.lastSeq) start += 1;
    let end = start;
    while (end < messages.length) {
      const { event } = messages[end] as OutgoingMessage;
      end += 1;
      this.lastSeq = event.seq;
      this.trackStatus(event);
      if (this.phase === 'live' && taskId !== null && this.endReason() !== null) break;
    }
    const sending = start === 0 && end === messages.length ? messages : messages.slice(start, end);
    if (sending.length === 0) return;
    transport.sendEvents(sending);
    if (transport.bufferedBytes() > maxBufferedBytes) this.close('slow_consumer');
    else if (this.phase === 'live') this.closeIfTerminal();
  }

  /** The task endpoint closes once its task is terminal; a retry later is followed by reconnecting with `since`. */
  private closeIfTerminal(): void {
    const reason = this.options.taskId === null ? null : this.endReason();
    if (reason !== null) this.finish(reason);
  }

  /** Why the task endpoint ends now: the task was deleted, or reached a terminal status; `null` while it runs. */
  private endReason(): ClosingReason | null {
    if (this.deleted) return 'task_deleted';
    if (this.status === null || !terminalStatuses.has(this.status)) return null;
    return `task_${this.status}` as ClosingReason;
  }

  private trackStatus(event: RoadmapEvent): void {
    if (event.type === 'progress' || event.type === 'completed') this.status = event.status;
    else if (event.type === 'failed') this.status = 'failed';
    else if (event.type === 'cancelled') this.status = 'cancelled';
    else if (event.type === 'deleted') this.deleted = true;
  }

  /** Sends the control message `build` makes of this connection's `task_id`, latest `seq` and the time now. */
  private sendControl(build: (fields: ControlFields) => ControlMessage): void {
    if (this.isClosed) return;
    const { transport, engine, taskId, maxBufferedBytes } = this.options;
    transport.sendControl(build({ task_id: taskId, seq: this.lastSeq, timestamp: isoTime(engine.clock.now()) }));
    if (transport.bufferedBytes() > maxBufferedBytes) this.close('slow_consumer');
  }
}
