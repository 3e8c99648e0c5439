import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { RoadmapEvent } from '@roadmap/core';
import { OutgoingMessage } from '@roadmap/http';
import { describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { sendMessages, textFrame } from './outgoingMessage.js';
import { TestClient } from './socketTestSupport.js';

interface SenderStatic {
  frame(
    data: Buffer,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}
const { Sender } = createRequire(import.meta.url)('ws') as { Sender: SenderStatic };

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 70_000])('equals the frame ws builds for a %i-byte text', (length) => {
    const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
    const expected = Buffer.concat(
      Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
    );
    expect(textFrame(text).equals(expected)).toBe(true);
  });
});

describe('sendMessages', () => {
  it('writes a batch to the connection once, in order, and falls back to send() once the socket is not open', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new TestClient(`ws://127.0.0.1:${port}`);
    const accepted = await new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    let writes = 0;
    const connection = (accepted as unknown as { _socket: { write: (...args: unknown[]) => boolean } })._socket;
    const write = connection.write.bind(connection);
    connection.write = (...args: unknown[]) => {
      writes += 1;
      return write(...args);
    };
    const events = [1, 2, 3].map((seq) => ({
      seq,
      type: 'progress',
      task_id: 't',
      message: `é ${'x'.repeat(seq * 90)}`,
    }));
    const messages = events.map((event) => new OutgoingMessage(event as unknown as RoadmapEvent));

    sendMessages(accepted, messages);
    await client.waitFor((received) => received.length === 3);
    expect(client.messages).toEqual(events);
    expect(writes).toBe(1);

    accepted.close();
    await client.closed;
    writes = 0;
    sendMessages(accepted, messages);
    expect(writes).toBe(0);
    await new Promise((resolve) => server.close(resolve));
  });
});
