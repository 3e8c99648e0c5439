/**
 * A browser-like `WebSocket` driven by the test, for `createRoadmapClient({ WebSocket: FakeWebSocket })`: nothing
 * happens until the test calls `open()`, `receive()` or `drop()`. Every socket the client creates is recorded in
 * `FakeWebSocket.instances` (clear it with `FakeWebSocket.reset()` between tests).
 *
 * @example
 * const client = createRoadmapClient({ baseUrl: 'http://app.test', WebSocket: FakeWebSocket as unknown as typeof WebSocket });
 * client.subscribeTask('t-1', { onEvent });
 * const [socket] = FakeWebSocket.live('/ws/t-1');
 * socket.open();
 * socket.receive({ type: 'connected', task_id: 't-1', seq: 0, timestamp });
 */
export class FakeWebSocket {
  /** Every socket created since the last `reset()`, oldest first. */
  static instances: FakeWebSocket[] = [];

  /** `0` connecting, `1` open, `3` closed, as a browser's. */
  readyState = 0;
  /** What the client sent, in order. */
  readonly sent: string[] = [];
  /** True once closed, by the client or by `drop()`. */
  closed = false;
  /** The code of the client's own `close(code)`; `undefined` until the client closes. */
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  /** Forgets every socket created so far. */
  static reset(): void {
    FakeWebSocket.instances = [];
  }

  /** The sockets not closed yet whose URL path ends with `path` (e.g. `/ws` or `/ws/{task_id}`). */
  static live(path: string): FakeWebSocket[] {
    return FakeWebSocket.instances.filter((socket) => !socket.closed && new URL(socket.url).pathname.endsWith(path));
  }

  /** The URL's query parameters (`token`, `since`). */
  get query(): Record<string, string> {
    return Object.fromEntries(new URL(this.url).searchParams);
  }

  /** Records the message; throws like a browser when the socket is not open. */
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open');
    this.sent.push(data);
  }

  /** A close by the client: like a browser, `close` follows at once. */
  close(code = 1005): void {
    if (this.closed) return;
    this.closedWith = code;
    this.#close(code);
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The server sends `message` (as JSON text). */
  receive(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** The connection is lost, or the server closes it: `error`, then `close` (nothing once closed). */
  drop(code = 1006): void {
    if (this.closed) return;
    this.onerror?.({});
    this.#close(code);
  }

  #close(code: number): void {
    this.closed = true;
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
