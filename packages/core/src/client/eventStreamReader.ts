// Our own reader of `text/event-stream` rather than `eventsource-parser`: its current major (4) needs Node ≥ 22.12
// while core supports Node 20, and the client only needs each event's `data` (a line of JSON; `id` repeats the
// JSON's `seq`, `event` its `type`) — a dozen lines, where the library would add about 1 KB to the client's budget.

const lineEnd = /\r\n?|\n/g;

/**
 * Reads a `text/event-stream` body (the WHATWG framing: lines end with CRLF, LF or CR; `:` starts a comment; `data`
 * lines of one event are joined with `\n`; a blank line ends the event) and calls `onData` with each event's data.
 * An event the stream ends in the middle of is dropped, as `EventSource` does. `onChunk` is told of every chunk read
 * (keep-alive comments included). Resolves when the body ends; rejects when it fails (the connection was cut, or the
 * request aborted).
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => void,
  onChunk?: () => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk?.();
    buffer += decoder.decode(value, { stream: true });
    let start = 0;
    for (const match of buffer.matchAll(lineEnd)) {
      // A CR that ends the chunk may be the first half of a CRLF: read on before taking the line.
      if (match[0] === '\r' && match.index + 1 === buffer.length) break;
      const line = buffer.slice(start, match.index);
      start = match.index + match[0].length;
      if (!line) {
        if (data !== undefined) onData(data);
        data = undefined;
        continue;
      }
      const colon = line.indexOf(':');
      if ((colon < 0 ? line : line.slice(0, colon)) !== 'data') continue;
      const text = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      data = data === undefined ? text : `${data}\n${text}`;
    }
    buffer = buffer.slice(start);
  }
}
