import type { ClosingReason, ControlMessage, RoadmapEngine } from '@roadmap/core';
import {
  type EventHub,
  EventSubscription,
  type EventSubscriptionEnd,
  type EventTransport,
  type OutgoingMessage,
} from '@roadmap/http';
import type { WebSocket } from 'ws';
import { sendMessages } from './outgoingMessage.js';

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

/** The WebSocket close code of each way a connection ends. */
const closeCodes: Record<EventSubscriptionEnd, number> = {
  task_completed: 1000,
  task_partial_failure: 1000,
  task_failed: 1000,
  task_cancelled: 1000,
  task_deleted: 1000,
  server_shutdown: 1001,
  token_expired: 1008,
  slow_consumer: 1013,
  internal_error: 1011,
};

/**
 * One WebSocket client of the task or user endpoint: the transport of an {@link EventSubscription} (which decides
 * what is sent: connect, replay after `since`, live events), plus what only a WebSocket has — client messages
 * (`ping`, `get_status`) and keep-alive pings.
 */
export class RoadmapSocket {
  /** Cleared by each keep-alive ping, set by the pong. */
  alive = true;
  private readonly subscription: EventSubscription;
  private readonly options: RoadmapSocketOptions;

  constructor(options: RoadmapSocketOptions) {
    this.options = options;
    const { socket } = options;
    const transport: EventTransport = {
      sendEvents: (messages: readonly OutgoingMessage[]) => sendMessages(socket, messages),
      sendControl: (message: ControlMessage) => socket.send(JSON.stringify(message)),
      bufferedBytes: () => socket.bufferedAmount,
      end: (reason) => {
        if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
          const withoutClosing = reason === 'slow_consumer' || reason === 'internal_error';
          socket.close(closeCodes[reason], withoutClosing ? reason.replace('_', ' ') : reason);
        }
      },
    };
    this.subscription = new EventSubscription({
      engine: options.engine,
      hub: options.hub,
      userId: options.userId,
      taskId: options.taskId,
      since: options.since,
      maxBufferedBytes: options.maxBufferedBytes,
      pageSize: options.pageSize,
      oldestRetainedSeq: options.oldestRetainedSeq,
      onError: options.onError,
      onClosed: () => options.onClosed(this),
      transport,
    });
    socket.on('close', () => this.subscription.dispose());
    // Protocol errors (a message over maxPayload: 1009, bad frames: 1002) are answered and closed by `ws` itself.
    socket.on('error', () => this.subscription.dispose());
    socket.on('pong', () => {
      this.alive = true;
    });
  }

  get socket(): WebSocket {
    return this.options.socket;
  }

  /** Sends `connected`, `current_status`, the replay, then switches to live events; answers client messages. */
  async start(): Promise<void> {
    this.options.socket.on('message', (data, isBinary) => this.handleMessage(data, isBinary));
    await this.subscription.start();
  }

  /** Says why it closes (`closing`), then closes the socket with the code of that reason. */
  finish(reason: ClosingReason): void {
    this.subscription.finish(reason);
  }

  private handleMessage(data: unknown, isBinary: boolean): void {
    if (this.subscription.isClosed || isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type === 'ping') this.subscription.pong();
    else if (type === 'get_status') this.subscription.sendStatus().catch(this.options.onError);
  }
}
