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
import { type ControlFields, toCurrentStatusMessage } from '@roadmap/http';
import type { WebSocket } from 'ws';
import type { EventHub } from './eventHub.js';
import { OutgoingMessage, sendMessages } from './outgoingMessage.js';

export interface RoadmapSocketOptions {
  socket: WebSocket;
  engine: RoadmapEngine;
  hub: EventHub;
  userId: string;
  /** The task of the task endpoint; `null` on the user-wide endpoint. */
  taskId: string | null;
  since: number | undefined;
  maxBufferedBytes: number;
  pageSize: number;
  oldestRetainedSeq: (() => number | null | Promise<number | null>) | undefined;
  onError: (error: unknown) => void;
  onClosed: (connection: RoadmapSocket) => void;
}

const terminalStatuses: ReadonlySet<TaskStatus> = new Set(['completed', 'partial_failure', 'failed', 'cancelled']);
/** How long a replay waits for a client to read what was sent before giving up with 1013. */
const drainTimeoutMs = 30_000;
const drainCheckMs = 5;
/** Status-list limit of `current_status` on the user-wide endpoint (the user's pending and processing tasks). */
const userStatusLimit = 100;

/**
 * One WebSocket client of the task or user endpoint: connect, replay after `since`, then live events from the
 * hub — each event at most once, in `seq` order, with nothing missing in between.
 */
export class RoadmapSocket {
  /**
   * `seq` of the latest event delivered to this client: its `since` until one is, or — without `since`, or after a
   * `resync` — the log's head when it connected.
   */
  lastSeq = 0;
  /** Cleared by each keep-alive ping, set by the pong. */
  alive = true;
  private phase: 'setup' | 'replaying' | 'live' | 'closed' = 'setup';
  private buffer: OutgoingMessage[] = [];
  private bufferedBytes = 0;
  private status: TaskStatus | null = null;
  private stopListening: (() => void) | undefined;
  private readonly options: RoadmapSocketOptions;

  constructor(options: RoadmapSocketOptions) {
    this.options = options;
    options.socket.on('close', () => this.dispose());
    // Protocol errors (a message over maxPayload: 1009, bad frames: 1002) are answered and closed by `ws` itself.
    options.socket.on('error', () => this.dispose());
    options.socket.on('pong', () => {
      this.alive = true;
    });
  }

  get socket(): WebSocket {
    return this.options.socket;
  }

  /** Sends `connected`, `current_status`, the replay, then switches to live events. */
  async start(): Promise<void> {
    const { hub, since, socket } = this.options;
    try {
      await hub.catchUp();
      if (this.isClosed()) return;
      const resync = since === undefined ? null : await this.resyncReason(since);
      if (this.isClosed()) return;
      // Listen before reading anything: events appended from now on reach the buffer, the replay reads the rest.
      this.stopListening = hub.listen((batch) => this.receive(batch));
      // Without `since` (or after a resync) the client starts at the log's head: read in the same synchronous step
      // as `listen`, so every later event reaches the buffer and none before it is sent. Control messages then
      // carry that head, and a client reconnecting from it replays nothing it already knows (SPEC §4).
      this.lastSeq = since === undefined || resync ? hub.cursor : since;
      this.phase = 'replaying';
      this.sendControl((fields) => ({ type: 'connected', ...fields }));
      socket.on('message', (data, isBinary) => this.handleMessage(data, isBinary));
      if (resync) this.sendControl((fields) => ({ type: 'resync', ...fields, reason: resync }));
      if (this.options.taskId !== null || resync) await this.sendStatus(true);
      if (since !== undefined && !resync) await this.replay();
      this.goLive();
    } catch (error) {
      this.options.onError(error);
      this.close(1011, 'internal error');
    }
  }

  /** Says why it closes (`closing`), then closes the socket normally. */
  finish(reason: ClosingReason, code = 1000): void {
    if (this.phase === 'closed') return;
    this.sendControl((fields) => ({ type: 'closing', ...fields, reason }));
    this.close(code, reason);
  }

  /** Closes without a `closing` message (`code` 1013 for a slow client, 1011 for an internal error). */
  close(code: number, reason: string): void {
    const { socket } = this.options;
    this.dispose();
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
  }

  /** Read through a method so that TypeScript does not narrow `phase` across awaits and calls. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private dispose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopListening?.();
    this.buffer = [];
    this.bufferedBytes = 0;
    this.options.onClosed(this);
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
      if (this.bufferedBytes > this.options.maxBufferedBytes) this.close(1013, 'slow consumer');
    }
  }

  private async replay(): Promise<void> {
    const { engine, taskId, userId, pageSize, socket, maxBufferedBytes } = this.options;
    for (;;) {
      const page = await engine.listEvents({
        ...(taskId === null ? { userId } : { taskId }),
        after: this.lastSeq,
        limit: pageSize,
      });
      for (const event of page) {
        if (socket.bufferedAmount > maxBufferedBytes / 2 && !(await this.drain())) return;
        if (this.phase !== 'replaying') return;
        this.deliver([new OutgoingMessage(event)]);
      }
      if (page.length < pageSize || this.phase !== 'replaying') return;
    }
  }

  /** Waits until the client has read half of what is queued; `false` (and closed with 1013) when it does not. */
  private async drain(): Promise<boolean> {
    const { socket, maxBufferedBytes } = this.options;
    const deadline = Date.now() + drainTimeoutMs;
    while (socket.bufferedAmount > maxBufferedBytes / 2) {
      if (this.phase === 'closed') return false;
      if (Date.now() > deadline) {
        this.close(1013, 'slow consumer');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, drainCheckMs));
    }
    return this.phase !== 'closed';
  }

  private goLive(): void {
    if (this.phase !== 'replaying') return;
    const buffered = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.deliver(buffered);
    if (this.isClosed()) return;
    this.phase = 'live';
    this.closeIfTerminal();
  }

  /**
   * Sends the messages not yet delivered, in one write. Live on the task endpoint, a terminal event ends the batch:
   * what follows it is not sent, `closing` is.
   */
  private deliver(messages: readonly OutgoingMessage[]): void {
    if (this.phase === 'closed') return;
    const { socket, maxBufferedBytes, taskId } = this.options;
    let start = 0;
    while (start < messages.length && (messages[start] as OutgoingMessage).event.seq <= this.lastSeq) start += 1;
    let end = start;
    while (end < messages.length) {
      const { event } = messages[end] as OutgoingMessage;
      end += 1;
      this.lastSeq = event.seq;
      this.trackStatus(event);
      if (this.phase === 'live' && taskId !== null && this.status !== null && terminalStatuses.has(this.status)) break;
    }
    const sending = start === 0 && end === messages.length ? messages : messages.slice(start, end);
    if (sending.length === 0) return;
    sendMessages(socket, sending);
    if (socket.bufferedAmount > maxBufferedBytes) this.close(1013, 'slow consumer');
    else if (this.phase === 'live') this.closeIfTerminal();
  }

  /** The task endpoint closes once its task is terminal; a retry later is followed by reconnecting with `since`. */
  private closeIfTerminal(): void {
    if (this.options.taskId === null || this.status === null || !terminalStatuses.has(this.status)) return;
    this.finish(`task_${this.status}` as ClosingReason);
  }

  private trackStatus(event: RoadmapEvent): void {
    if (event.type === 'progress' || event.type === 'completed') this.status = event.status;
    else if (event.type === 'failed') this.status = 'failed';
    else if (event.type === 'cancelled') this.status = 'cancelled';
  }

  private handleMessage(data: unknown, isBinary: boolean): void {
    if (this.phase === 'closed' || isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type === 'ping') this.sendControl((fields) => ({ type: 'pong', ...fields }));
    else if (type === 'get_status') this.sendStatus(false).catch(this.options.onError);
  }

  /** `current_status` of the task, or of each of the user's pending and processing tasks (user endpoint). */
  private async sendStatus(initial: boolean): Promise<void> {
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

  /** Sends the control message `build` makes of this connection's `task_id`, latest `seq` and the time now. */
  private sendControl(build: (fields: ControlFields) => ControlMessage): void {
    if (this.phase === 'closed') return;
    const { socket, engine, taskId, maxBufferedBytes } = this.options;
    socket.send(JSON.stringify(build({ task_id: taskId, seq: this.lastSeq, timestamp: isoTime(engine.clock.now()) })));
    if (socket.bufferedAmount > maxBufferedBytes) this.close(1013, 'slow consumer');
  }
}
