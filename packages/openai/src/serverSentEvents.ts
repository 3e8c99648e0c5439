/**
 * The events of a `text/event-stream` body (the WHATWG server-sent events format), read from a Node stream of text.
 *
 * Our own rather than a library's: the maintained parsers (`eventsource-parser`, the openai SDK's `SSEDecoder`) take
 * web streams or callbacks around them, and the per-call cost of those streams is what the lean Chat Completions
 * path ({@link ./chatCompletionsEndpoint.ts}) exists to avoid (P3apiWall: a fan-out step handles 24 answers at
 * once on one thread). A Chat Completions stream uses only `data:` lines, and sometimes `event:` and comments, so the
 * whole format fits in this file: lines end with LF, CRLF or CR; `data` lines of one event are joined with LF; a
 * blank line dispatches the event; an event the stream ends in the middle of is dropped.
 */

/** One dispatched event: its `event` field (null when none was sent) and its joined `data` lines. */
export interface ServerSentEvent {
  event: string | null;
  data: string;
}

/** The events of `text` chunks as they arrive (`source` must yield strings: set its encoding first). */
export async function* serverSentEvents(source: AsyncIterable<string>): AsyncGenerator<ServerSentEvent> {
  let pending = '';
  let data: string[] = [];
  let event: string | null = null;
  for await (const text of source) {
    pending += text;
    let start = 0;
    while (start < pending.length) {
      const lineFeed = pending.indexOf('\n', start);
      const carriageReturn = pending.indexOf('\r', start);
      let end: number;
      let next: number;
      if (carriageReturn !== -1 && (lineFeed === -1 || carriageReturn < lineFeed)) {
        // A CR at the very end may be the first half of a CRLF: wait for the next chunk to tell.
        if (carriageReturn === pending.length - 1) break;
        end = carriageReturn;
        next = pending[carriageReturn + 1] === '\n' ? carriageReturn + 2 : carriageReturn + 1;
      } else if (lineFeed !== -1) {
        end = lineFeed;
        next = lineFeed + 1;
      } else {
        break;
      }
      const line = pending.slice(start, end);
      start = next;
      if (line === '') {
        if (data.length > 0) yield { event, data: data.join('\n') };
        data = [];
        event = null;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon === 0) continue; // a comment
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
    pending = pending.slice(start);
  }
}
