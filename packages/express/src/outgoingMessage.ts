import type { Duplex } from 'node:stream';
import type { OutgoingMessage } from '@roadmap/http';
import type { WebSocket } from 'ws';

/** The WebSocket text frame of each message, built once on first use and then written as is to every client. */
const frames = new WeakMap<OutgoingMessage, Buffer>();

/** The text frame carrying `message`'s JSON — built once per message, whoever it is sent to. */
export function frameOf(message: OutgoingMessage): Buffer {
  let frame = frames.get(message);
  if (!frame) {
    frame = textFrame(message.json);
    frames.set(message, frame);
  }
  return frame;
}

/** A final, unmasked text frame (RFC 6455 §5.2) — what a server sends, identical for every client. */
export function textFrame(text: string): Buffer {
  const payloadLength = Buffer.byteLength(text, 'utf8');
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = 0x81;
  if (payloadLength < 126) frame[1] = payloadLength;
  else if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}

/**
 * Sends `messages` to one client, in order, with one write to its TCP socket: the prebuilt frames go straight to
 * the connection `ws` holds, joined into one buffer (built once per list: pass the same array to every client that
 * gets the same messages). One write per client per batch instead of one per event is what lets a process fan a
 * busy stream out to thousands of clients.
 *
 * Falls back to `socket.send` per message when that connection is not reachable or the socket is not plainly open
 * (no extension negotiated: the router's server never enables permessage-deflate). `ws` writes its own frames to the
 * same connection synchronously, so messages sent either way keep their order, and `bufferedAmount` counts both.
 */
export function sendMessages(socket: WebSocket, messages: readonly OutgoingMessage[]): void {
  const connection = (socket as unknown as { _socket?: Duplex | null })._socket;
  if (!connection || connection.destroyed || socket.readyState !== socket.OPEN || socket.extensions !== '') {
    for (const message of messages) socket.send(message.json);
    return;
  }
  connection.write(framesOf(messages));
}

/** The frames of a list of messages, one after the other — built once per list, whoever it is sent to. */
const joinedFrames = new WeakMap<readonly OutgoingMessage[], Buffer>();

function framesOf(messages: readonly OutgoingMessage[]): Buffer {
  if (messages.length === 1) return frameOf(messages[0] as OutgoingMessage);
  let joined = joinedFrames.get(messages);
  if (!joined) {
    joined = Buffer.concat(messages.map(frameOf));
    joinedFrames.set(messages, joined);
  }
  return joined;
}
