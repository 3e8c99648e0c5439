import { describe, expect, it } from 'vitest';
import { readEventStream } from './eventStreamReader.js';

/** A body that delivers `chunks` as they are, so frames and line ends can be split anywhere. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function read(chunks: string[]): Promise<string[]> {
  const data: string[] = [];
  await readEventStream(body(chunks), (text) => data.push(text));
  return data;
}

describe('readEventStream', () => {
  it('reads the data of each event and ignores comments, id, event and retry', async () => {
    const stream =
      ': keep-alive\n\nid: 4\nevent: progress\ndata: {"seq":4}\n\n: keep-alive\n\nretry: 10\ndata:{"seq":5}\n\n';
    expect(await read([stream])).toEqual(['{"seq":4}', '{"seq":5}']);
  });

  it('tells of every chunk read, a keep-alive comment alone included (a sign of life for the idle check)', async () => {
    const data: string[] = [];
    let chunks = 0;
    await readEventStream(
      body([': keep-alive\n\n', 'data: {"seq":1}\n\n', ': keep-alive\n\n']),
      (text) => data.push(text),
      () => {
        chunks += 1;
      },
    );
    expect(chunks).toBe(3);
    expect(data).toEqual(['{"seq":1}']);
  });

  it('joins data lines, takes CRLF, LF and CR line ends, and a CRLF split between chunks', async () => {
    expect(await read(['data: a\r', '\ndata: b\r\n\r', '\ndata: c\rdata\r\r', 'data: d\n\n'])).toEqual([
      'a\nb',
      'c\n',
      'd',
    ]);
  });

  it('reassembles frames and multi-byte characters split at any byte', async () => {
    const stream = 'id: 1\ndata: {"name":"Ownership é 所有权"}\n\nid: 2\ndata: {"seq":2}\n\n';
    const bytes = new TextEncoder().encode(stream);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const data: string[] = [];
      await readEventStream(
        new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
        (text) => data.push(text),
      );
      expect(data).toEqual(['{"name":"Ownership é 所有权"}', '{"seq":2}']);
    }
  });

  it('drops an event the stream ends in the middle of', async () => {
    expect(await read(['data: {"seq":1}\n\ndata: {"seq":2}\n'])).toEqual(['{"seq":1}']);
  });
});
