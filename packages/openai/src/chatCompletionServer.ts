/**
 * Test support: a real HTTP server on 127.0.0.1 standing in for the OpenAI API, so that streaming is tested over a
 * socket (chunks split by TCP, a connection the server cuts, a connection the client closes). Not exported from the
 * package.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatRequestBody } from './openAIFixtures.js';

/** One request the server received: its JSON body, and a promise that settles when its connection closes. */
export interface ReceivedChatRequest {
  body: ChatRequestBody;
  headers: IncomingMessage['headers'];
  /** Settles when the client's connection closes (an abort, or the end of a keep-alive socket). */
  connectionClosed: Promise<void>;
}

/** Answers one request: write to `response` (see {@link writeEventStream}, {@link writeApiError}). */
export type ChatCompletionHandler = (
  request: ReceivedChatRequest,
  response: ServerResponse,
  requestNumber: number,
) => void | Promise<void>;

export interface ChatCompletionServer {
  /** `http://127.0.0.1:PORT/v1`, the `baseURL` to give the model. */
  baseURL: string;
  /** The requests received, in order. */
  requests: ReceivedChatRequest[];
  close(): Promise<void>;
}

/** Starts a server answering `POST /v1/chat/completions` with `handler` (anything else: 404). */
export async function startChatCompletionServer(handler: ChatCompletionHandler): Promise<ChatCompletionServer> {
  const requests: ReceivedChatRequest[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        writeApiError(response, 404, `Unknown request URL: ${request.method} ${request.url}`);
        return;
      }
      const connectionClosed = new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
      const received: ReceivedChatRequest = {
        body: JSON.parse(Buffer.concat(parts).toString('utf8')) as ChatRequestBody,
        headers: request.headers,
        connectionClosed,
      };
      requests.push(received);
      void handler(received, response, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes an API error as OpenAI does: `{ error: { message, type, param, code } }` with the status and headers. */
export function writeApiError(
  response: ServerResponse,
  status: number,
  message: string,
  options: { param?: string | null; headers?: Record<string, string> } = {},
): void {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': `req_test_${status}`,
    ...options.headers,
  });
  response.end(JSON.stringify({ error: { message, type, param: options.param ?? null, code: null } }));
}

/**
 * Writes `chunks` as the API streams them: `text/event-stream`, one `data: {json}\n\n` event each (each flushed on
 * its own), then `data: [DONE]\n\n`. `cutAfter`: after that many chunks the server closes the connection
 * without ending the body (a connection lost mid-stream). `hold`: the response stays open after the chunks (the model still thinking) and this
 * resolves when the client closes it.
 */
export async function writeEventStream(
  response: ServerResponse,
  chunks: readonly unknown[],
  options: { cutAfter?: number; hold?: boolean } = {},
): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const sent = options.cutAfter === undefined ? chunks : chunks.slice(0, options.cutAfter);
  for (const chunk of sent) {
    await new Promise<void>((resolve, reject) =>
      response.write(`data: ${JSON.stringify(chunk)}\n\n`, (error) => (error ? reject(error) : resolve())),
    );
  }
  if (options.cutAfter !== undefined) {
    // The connection closes (after what was written) without the body's last chunk.
    response.socket?.end();
    return;
  }
  if (options.hold) {
    await new Promise<void>((resolve) => response.once('close', () => resolve()));
    return;
  }
  response.end('data: [DONE]\n\n');
}
