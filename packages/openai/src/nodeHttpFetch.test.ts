import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './nodeHttpFetch.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('nodeHttpFetch', () => {
  it('sends the method, headers and text body, and reads status, headers and JSON', async () => {
    const url = await serve((request, body, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      response.end(JSON.stringify({ method: request.method, auth: request.headers.authorization, body }));
    });
    const response = await nodeHttpFetch(`${url}/v1/things`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"ünï":"漢字"}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ method: 'POST', auth: 'Bearer k', body: '{"ünï":"漢字"}' });
  });

  it('aborting the signal closes the connection at the server and rejects with an AbortError', async () => {
    let received: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    let closed: () => void = () => {};
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const url = await serve((_request, _body, response) => {
      response.on('close', closed);
      received();
    });
    const controller = new AbortController();
    const pending = nodeHttpFetch(`${url}/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    await requestArrived;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await serverSawClose;
  });

  it('serves the openai SDK: a completion, an API error with its status and message, a streamed body', async () => {
    const url = await serve((_request, body, response) => {
      const parsed = JSON.parse(body) as { model: string; stream?: boolean };
      if (parsed.model === 'missing') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'The model does not exist', type: 'invalid_request_error' } }));
        return;
      }
      if (parsed.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const word of ['Hello', ' world']) {
          const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [] as unknown[] };
          chunk.choices = [{ index: 0, delta: { content: word }, finish_reason: null }];
          response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
    });
    const client = new OpenAI({ apiKey: 'k', baseURL: `${url}/v1`, maxRetries: 0, fetch: nodeHttpFetch });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const completion = await client.chat.completions.create({ model: 'm', messages });
    expect(completion.choices[0]?.message.content).toBe('hi');
    await expect(client.chat.completions.create({ model: 'missing', messages })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('The model does not exist'),
    });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello world');
  });
});
