import { describe, expect, it } from 'vitest';
import { type ServerSentEvent, serverSentEvents } from './serverSentEvents.js';

async function eventsOf(...pieces: string[]): Promise<ServerSentEvent[]> {
  async function* source() {
    yield* pieces;
  }
  const events: ServerSentEvent[] = [];
  for await (const event of serverSentEvents(source())) events.push(event);
  return events;
}

describe('serverSentEvents', () => {
  it('dispatches each event at its blank line, whatever the chunks cut', async () => {
    const body = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    const whole = await eventsOf(body);
    expect(whole).toEqual([
      { event: null, data: '{"a":1}' },
      { event: null, data: '{"b":2}' },
      { event: null, data: '[DONE]' },
    ]);
    // One character at a time: lines and events that span chunks come out the same.
    expect(await eventsOf(...body.split(''))).toEqual(whole);
  });

  it('takes CRLF and CR line ends, also a CRLF cut between two chunks', async () => {
    expect(await eventsOf('data: one\r', '\n\r\ndata: two\r\rdata: three\n\n')).toEqual([
      { event: null, data: 'one' },
      { event: null, data: 'two' },
      { event: null, data: 'three' },
    ]);
  });

  it('joins the data lines of one event, reads its event name, skips comments and unknown fields', async () => {
    expect(await eventsOf(': keep-alive\n\nevent: error\ndata: first\nid: 7\ndata:second\n\n')).toEqual([
      { event: 'error', data: 'first\nsecond' },
    ]);
  });

  it('drops an event the stream ends in the middle of', async () => {
    expect(await eventsOf('data: whole\n\ndata: half')).toEqual([{ event: null, data: 'whole' }]);
  });
});
