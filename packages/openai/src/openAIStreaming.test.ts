import { intentSchema, isAbortError, type ModelStreamPart, RoadmapError } from '@roadmap/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatCompletionHandler,
  type ChatCompletionServer,
  startChatCompletionServer,
  writeApiError,
  writeEventStream,
} from './chatCompletionServer.js';
import { chatCompletionChunks, modelRequest } from './openAIFixtures.js';
import { createOpenAIModel } from './openAIModel.js';

/** Every test talks to a real HTTP server on 127.0.0.1 speaking the Chat Completions SSE format. */
const servers: ChatCompletionServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function serve(handler: ChatCompletionHandler): Promise<ChatCompletionServer> {
  const server = await startChatCompletionServer(handler);
  servers.push(server);
  return server;
}

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

function streamOf(
  server: ChatCompletionServer,
  request = modelRequest(),
  options: Parameters<typeof createOpenAIModel>[0] = {},
) {
  const model = createOpenAIModel({ apiKey: 'sk-test', model: 'gpt-4o-mini', baseURL: server.baseURL, ...options });
  if (!model.stream) throw new Error('the model should stream');
  return model.stream(request);
}

describe('createOpenAIModel: streaming (SPEC §7)', () => {
  it('streams a Chat Completion with the same response format, and hands on each piece, then the usage', async () => {
    const server = await serve((_request, response) =>
      writeEventStream(response, chatCompletionChunks(pieces, { promptTokens: 210, completionTokens: 33 })),
    );
    const onUsage = vi.fn();
    const parts = await collect(streamOf(server, modelRequest(), { onUsage, maxOutputTokens: 2_000 }));
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.map((part) => part.text).join('')).toBe(text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 210, outputTokens: 33 } });
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(onUsage).toHaveBeenCalledWith({ inputTokens: 210, outputTokens: 33 }, expect.anything());
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 2_000,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'tutorial', strict: true, schema: { type: 'object', additionalProperties: false } },
      },
    });
  });

  it('hands each piece on as it arrives, before the rest of the answer', async () => {
    let answered!: () => void;
    const firstPiecesSent = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const server = await serve(async (_request, response) => {
      await writeEventStream(response, chatCompletionChunks(pieces).slice(0, 2), { hold: true });
      answered();
    });
    const controller = new AbortController();
    const stream = streamOf(server, modelRequest({ abortSignal: controller.signal }))[Symbol.asyncIterator]();
    // The first piece is handed on while the server still holds the rest.
    await expect(stream.next()).resolves.toEqual({ done: false, value: { type: 'text-delta', text: pieces[0] } });
    controller.abort();
    await expect(stream.next()).rejects.toSatisfy(isAbortError);
    await firstPiecesSent;
  });

  it('is left out with stream: false, and says its maxOutputTokens for budgets', () => {
    const model = createOpenAIModel({ apiKey: 'sk-test', stream: false, maxOutputTokens: 4_000 });
    expect(model.stream).toBeUndefined();
    expect(model.maxOutputTokens).toBe(4_000);
  });

  it('maps 429 and 500 before the stream to retryable errors', async () => {
    const server = await serve((_request, response, number) =>
      number === 1
        ? writeApiError(response, 429, 'Rate limit reached', { headers: { 'retry-after': '2' } })
        : writeApiError(response, 500, 'The server had an error'),
    );
    const limited = await collect(streamOf(server)).catch((error: unknown) => error);
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 2_000 });
    const failed = await collect(streamOf(server)).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'model_error', retryable: true });
    expect(server.requests).toHaveLength(2);
  });

  it('fails retryably when the connection is cut mid-stream, after handing on what came', async () => {
    // The role chunk and three pieces, then the server closes the connection without the end of the body.
    const server = await serve((_request, response) =>
      writeEventStream(response, chatCompletionChunks(pieces), { cutAfter: 4 }),
    );
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of streamOf(server)) if (part.type === 'text-delta') received.push(part.text);
    })().catch((caught: unknown) => caught);
    expect(received.join('')).toBe(pieces.slice(0, 3).join(''));
    expect(RoadmapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'model_error', retryable: true, message: /cut off mid-stream/ });
  });

  it('stops the request and rejects with an AbortError when the signal aborts mid-stream (the server sees it close)', async () => {
    const server = await serve((_request, response) =>
      // Held open after four chunks: the model is still "thinking".
      writeEventStream(response, chatCompletionChunks(pieces).slice(0, 4), { hold: true }),
    );
    const controller = new AbortController();
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of streamOf(server, modelRequest({ abortSignal: controller.signal }))) {
        if (part.type === 'text-delta') received.push(part.text);
        if (received.length === 3) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(received).toEqual(pieces.slice(0, 3));
    await server.requests[0]?.connectionClosed;
  });

  it('closes the request when the consumer stops reading early', async () => {
    const server = await serve((_request, response) =>
      writeEventStream(response, chatCompletionChunks(pieces).slice(0, 4), { hold: true }),
    );
    for await (const part of streamOf(server)) if (part.type === 'text-delta') break;
    await server.requests[0]?.connectionClosed;
  });

  it('fails with a model_error on a refusal or an empty answer', async () => {
    const server = await serve((_request, response, number) =>
      writeEventStream(
        response,
        number === 1
          ? chatCompletionChunks([], { refusal: 'I cannot help with that.' })
          : chatCompletionChunks([], { finishReason: 'length' }),
      ),
    );
    await expect(collect(streamOf(server))).rejects.toMatchObject({
      code: 'model_error',
      retryable: false,
      message: /refused/,
    });
    await expect(collect(streamOf(server))).rejects.toMatchObject({
      code: 'model_error',
      message: /no content.*length/,
    });
  });

  it('falls back to json_object when the server refuses json_schema, streaming still', async () => {
    const server = await serve(({ body }, response) =>
      body.response_format?.type === 'json_schema'
        ? writeApiError(response, 400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported.", {
            param: 'response_format',
          })
        : writeEventStream(response, chatCompletionChunks(pieces)),
    );
    const parts = await collect(streamOf(server));
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => part.text)
        .join(''),
    ).toBe(text);
    expect(server.requests.map(({ body }) => body.response_format?.type)).toEqual(['json_schema', 'json_object']);
    expect(server.requests.every(({ body }) => body.stream === true)).toBe(true);
  });

  it('hands on the whole text with null optionals removed in the finish part', async () => {
    const partialIntent = intentSchema.partial({ time_constraint: true, focus_areas: true });
    const withNulls = JSON.stringify({
      parsed_goal: 'Learn Go',
      key_technologies: ['Go'],
      difficulty_profile: 'beginner',
      time_constraint: null,
      focus_areas: null,
    });
    const server = await serve((_request, response) =>
      writeEventStream(response, chatCompletionChunks(withNulls.match(/[\s\S]{1,9}/g) ?? [])),
    );
    const parts = await collect(streamOf(server, modelRequest({ schema: partialIntent, schemaName: 'intent' })));
    const finish = parts.at(-1);
    if (finish?.type !== 'finish') throw new Error('the stream should end with a finish part');
    expect(JSON.parse(finish.text ?? '')).toEqual({
      parsed_goal: 'Learn Go',
      key_technologies: ['Go'],
      difficulty_profile: 'beginner',
    });
    // The deltas are what the server sent; only the finish part carries the adjusted text.
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => part.text)
        .join(''),
    ).toBe(withNulls);
  });
});
