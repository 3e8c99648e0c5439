import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client reduced to what a load generator needs: the opening handshake, then unmasked server frames
 * split into messages, with pings answered. One bench process stands in for 1,000 browsers; with `ws` it spends a
 * whole core receiving 200,000 messages a second and the measurement becomes the clients' (seen in P7: client
 * process at 105 % CPU, server at 77 %). This reads frames straight from the TCP stream instead.
 *
 * TCP data is read with `onread` into one buffer shared by every socket of the process (Node calls back for one read at
 * a time and each read is parsed before the callback returns), not through the stream's `data` events: with 1,000
 * sockets and 200 events a second the stream machinery alone kept the client core at 96–99 % and its queueing showed
 * up as server latency in P7.
 *
 * Events: `message` (payload `Buffer`, a view into the read buffer — read it at once, copy it to keep it), `error`,
 * `close`.
 */
/** The read buffer every socket of this process reads into (see above). */
const readBuffer = Buffer.allocUnsafe(256 * 1024);

export class LeanWebSocket extends EventEmitter {
  private readonly socket: Socket;
  private pending: Buffer | null = null;
  /**
   * When the read that carried the message being delivered arrived (`process.hrtime`, in ms: machine-wide monotonic):
   * taken once per read, not per message, since the messages of one read arrived together.
   */
  readAtMs = 0;
  private open = false;

  constructor(url: string) {
    super();
    const target = new URL(url);
    this.socket = connect({
      port: Number(target.port),
      host: target.hostname,
      onread: {
        buffer: readBuffer,
        callback: (bytes, buffer) => {
          this.receive(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    this.socket.on('error', (error) => this.emit('error', error));
    this.socket.on('close', () => this.emit('close'));
  }

  terminate(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.readAtMs = Number(process.hrtime.bigint()) / 1e6;
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    if (!this.open) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        // A copy: `data` may be a view into the shared read buffer.
        this.pending = Buffer.from(data);
        return;
      }
      if (!data.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) {
        this.emit('error', new Error(data.toString('latin1', 0, end)));
        this.socket.destroy();
        return;
      }
      this.open = true;
      data = data.subarray(end + 4);
    }
    let offset = 0;
    while (data.length - offset >= 2) {
      const opcode = (data[offset] ?? 0) & 0x0f;
      let length = (data[offset + 1] ?? 0) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - offset < 4) break;
        length = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - offset < 10) break;
        length = Number(data.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (data.length - offset < header + length) break;
      const payload = data.subarray(offset + header, offset + header + length);
      offset += header + length;
      if (opcode === 1) this.emit('message', payload);
      else if (opcode === 9) this.pong(payload);
      else if (opcode === 8) this.socket.end();
    }
    if (offset < data.length) this.pending = Buffer.from(data.subarray(offset));
  }

  /** A client frame must be masked: a zero mask leaves the payload as it is. */
  private pong(payload: Buffer): void {
    this.socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
  }
}
