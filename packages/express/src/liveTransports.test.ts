// The WebSocket and the event streams of one process follow one engine's log together: one hub (the log is polled
// once), one per-user connection count (a user's sockets and streams count together against the cap).
import { RoadmapError } from '@roadmap/core';
import { eventHubOf, openEventStream, userConnectionsOf } from '@roadmap/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocketWorld, refusedResponse, type SocketWorld, TestClient } from './socketTestSupport.js';

let world: SocketWorld | undefined;
const clients: TestClient[] = [];
const streams: ReadableStream<Uint8Array>[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const stream of streams.splice(0)) await stream.cancel().catch(() => {});
  await world?.close();
  world = undefined;
});

function connect(current: SocketWorld, path: string): TestClient {
  const client = new TestClient(current.url(path));
  clients.push(client);
  return client;
}

async function openStream(current: SocketWorld, taskId?: string): Promise<ReadableStream<Uint8Array>> {
  const stream = await openEventStream({
    engine: current.engine,
    userId: 'alice',
    ...(taskId === undefined ? {} : { taskId }),
    signal: new AbortController().signal,
  });
  streams.push(stream);
  return stream;
}

/** Reads `stream` until its text holds a frame of `seq`. */
async function readUntilSeq(stream: ReadableStream<Uint8Array>, seq: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(`id: ${seq}\nevent: progress\n`)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('WebSocket and event streams together', () => {
  it('count against one per-user cap: 10 sockets and 10 streams, then both refuse; a closed stream frees a socket', async () => {
    const current = await createSocketWorld();
    world = current;
    const taskId = await current.createTask('alice');
    const sockets = Array.from({ length: 10 }, () => connect(current, '/api/v1/ws?token=token-alice'));
    await Promise.all(sockets.map((client) => client.waitForType('connected')));
    for (let index = 0; index < 10; index += 1) await openStream(current, index % 2 === 0 ? taskId : undefined);
    expect(current.sockets.clients('alice')).toBe(20);
    expect(userConnectionsOf(current.engine).count('alice')).toBe(20);

    const refusedSocket = await refusedResponse(current.url('/api/v1/ws?token=token-alice'));
    expect(refusedSocket).toMatchObject({ status: 429, body: { code: 'too_many_connections' } });
    const refusedStream = await openStream(current).catch((error: unknown) => error);
    expect(RoadmapError.isInstance(refusedStream) && refusedStream.code).toBe('rate_limited');

    await streams[0]?.cancel();
    expect(current.sockets.clients('alice')).toBe(19);
    const admitted = connect(current, '/api/v1/ws?token=token-alice');
    await admitted.waitForType('connected');
    expect(current.sockets.clients('alice')).toBe(20);
  });

  it('share one hub: the attachment sets it up, both transports listen to it and get the same events', async () => {
    const current = await createSocketWorld({ sockets: { pollIntervalMs: 10 } });
    world = current;
    const taskId = await current.createTask('alice');
    const socket = connect(current, `/api/v1/ws/${taskId}?token=token-alice`);
    await socket.waitForType('current_status');
    const stream = await openStream(current, taskId);
    expect(eventHubOf(current.engine).size).toBe(2);

    // Written straight to storage, as by a worker in another process: found by the one poll of the shared hub.
    const seq = await current.append(taskId, 'alice', { message: 'to both' } as never);
    await socket.waitFor(() => socket.events().some((event) => event.seq === seq));
    const text = await readUntilSeq(stream, seq);
    const stored = (await current.engine.listEvents({ taskId })).at(-1);
    expect(text).toContain(`id: ${seq}\nevent: progress\ndata: ${JSON.stringify(stored)}\n\n`);
    expect(socket.events().at(-1)).toEqual(JSON.parse(JSON.stringify(stored)));

    // Closing the WebSocket attachment leaves the hub to the stream that still listens: events go on arriving.
    const hub = eventHubOf(current.engine);
    await current.sockets.close();
    expect([hub.isClosed, hub.size]).toEqual([false, 1]);
    const after = await current.append(taskId, 'alice', { message: 'after the sockets closed' } as never);
    expect(await readUntilSeq(stream, after)).toContain(`id: ${after}\nevent: progress\n`);
    await stream.cancel();
    expect(hub.size).toBe(0);
  });
});
