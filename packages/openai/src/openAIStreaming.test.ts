import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbortError, type ModelStreamPart, RoadmapError } from '@roadmap/core';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiError,
  type ChatRequestBody,
  chatCompletionChunks,
  chatCompletionsURL,
  createRecorder,
  eventStream,
  modelRequest,
} from './openAIFixtures.js';
import { createOpenAIModel } from './openAIModel.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const tutorial = {
  title: 'Goroutines',
  summary: 'Lightweight threads managed by the Go runtime.',
  content: '# Goroutines\n\nStart one with `go f()`, and wait with a `sync.WaitGroup`.',
};
const text = JSON.stringify(tutorial);
/** The answer cut into pieces of 7 characters, as a model's tokens come. */
const pieces = text.match(/[\s\S]{1,7}/g) ?? [];

async function collect(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function streamOf(request = modelRequest(), options: Parameters<typeof createOpenAIModel>[0] = {}) {
  const model = createOpenAIModel({ apiKey: 'sk-test', model: 'gpt-4o-mini', ...options });
  if (!model.stream) throw new Error('the model should stream');
  return model.stream(request);
}

describe('createOpenAIModel: streaming (SPEC §7)', () => {
  it('streams a Chat Completion with the same response format, and hands on each piece, then the usage', async () => {
    const recorder = createRecorder<ChatRequestBody>();
    server.use(
      http.post(chatCompletionsURL, async ({ request }) => {
        await recorder.record(request);
        return eventStream(chatCompletionChunks(pieces, { promptTokens: 210, completionTokens: 33 }));
      }),
    );
    const onUsage = vi.fn();
    const parts = await collect(streamOf(modelRequest(), { onUsage, maxOutputTokens: 2_000 }));
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.map((part) => part.text)).toEqual(pieces);
    expect(deltas.map((part) => part.text).join('')).toBe(text);
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 210, outputTokens: 33 } });
    expect(onUsage).toHaveBeenCalledWith({ inputTokens: 210, outputTokens: 33 }, expect.anything());
    expect(recorder.bodies[0]).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 2_000,
      response_format: { type: 'json_schema', json_schema: { name: 'tutorial', strict: true } },
    });
  });

  it('is left out with stream: false, and says its maxOutputTokens for budgets', () => {
    const model = createOpenAIModel({ apiKey: 'sk-test', stream: false, maxOutputTokens: 4_000 });
    expect(model.stream).toBeUndefined();
    expect(model.maxOutputTokens).toBe(4_000);
  });

  it('maps 429 and 500 before the stream to retryable errors', async () => {
    server.use(
      http.post(chatCompletionsURL, () => apiError(429, 'Rate limit reached', { headers: { 'retry-after': '2' } }), {
        once: true,
      }),
      http.post(chatCompletionsURL, () => apiError(500, 'The server had an error')),
    );
    const limited = await collect(streamOf()).catch((error: unknown) => error);
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 2_000 });
    const failed = await collect(streamOf()).catch((error: unknown) => error);
    expect(RoadmapError.isInstance(failed) && failed.retryable).toBe(true);
  });

  it('fails retryably when the stream is cut mid-way, after handing on what came', async () => {
    server.use(http.post(chatCompletionsURL, () => eventStream(chatCompletionChunks(pieces), { cutAfter: 4 })));
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of streamOf()) if (part.type === 'text-delta') received.push(part.text);
    })().catch((caught: unknown) => caught);
    expect(received.join('')).toBe(pieces.slice(0, 3).join(''));
    expect(RoadmapError.isInstance(error) && error.retryable).toBe(true);
  });

  it('stops the request and rejects with an AbortError when the signal aborts mid-stream (the server sees it close)', async () => {
    // A real HTTP server, so that the closed connection is seen where a server would see it.
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const httpServer = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const chunk of chatCompletionChunks(pieces).slice(0, 4))
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      // Held open: the model is still "thinking".
      request.socket.on('close', () => closed());
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpServer.address() as AddressInfo;
    server.use(http.post(`http://127.0.0.1:${port}/v1/chat/completions`, () => passthrough()));
    try {
      const controller = new AbortController();
      const received: string[] = [];
      const error = await (async () => {
        const stream = streamOf(modelRequest({ abortSignal: controller.signal }), {
          baseURL: `http://127.0.0.1:${port}/v1`,
        });
        for await (const part of stream) {
          if (part.type === 'text-delta') received.push(part.text);
          if (received.length === 3) controller.abort();
        }
      })().catch((caught: unknown) => caught);
      expect(isAbortError(error)).toBe(true);
      expect(received).toEqual(pieces.slice(0, 3));
      await connectionClosed;
    } finally {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });

  it('fails with a model_error on a refusal or an empty answer', async () => {
    server.use(
      http.post(
        chatCompletionsURL,
        () => eventStream(chatCompletionChunks([], { refusal: 'I cannot help with that.' })),
        {
          once: true,
        },
      ),
      http.post(chatCompletionsURL, () => eventStream(chatCompletionChunks([], { finishReason: 'length' }))),
    );
    await expect(collect(streamOf())).rejects.toMatchObject({ code: 'model_error', message: /refused/ });
    await expect(collect(streamOf())).rejects.toMatchObject({ code: 'model_error', message: /no content.*length/ });
  });

  it('falls back to json_object when the server refuses json_schema, streaming still', async () => {
    const recorder = createRecorder<ChatRequestBody>();
    server.use(
      http.post(chatCompletionsURL, async ({ request }) => {
        const body = await recorder.record(request);
        if (body.response_format?.type === 'json_schema') {
          return apiError(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported.", {
            param: 'response_format',
          });
        }
        return eventStream(chatCompletionChunks(pieces));
      }),
    );
    const parts = await collect(streamOf());
    expect(parts.filter((part) => part.type === 'text-delta').length).toBe(pieces.length);
    expect(recorder.bodies.map((body) => body.response_format?.type)).toEqual(['json_schema', 'json_object']);
    expect(recorder.bodies.every((body) => body.stream === true)).toBe(true);
  });
});
