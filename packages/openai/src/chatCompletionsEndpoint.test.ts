import { APIConnectionError, APIConnectionTimeoutError, BadRequestError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatCompletionHandler,
  type ChatCompletionServer,
  startChatCompletionServer,
  writeApiError,
  writeEventStream,
} from './chatCompletionServer.js';
import { createChatCompletionsEndpoint } from './chatCompletionsEndpoint.js';
import { chatCompletion, chatCompletionChunks, modelRequest } from './openAIFixtures.js';
import { createOpenAIModel } from './openAIModel.js';

const servers: ChatCompletionServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const server of servers.splice(0)) await server.close();
});
async function serve(handler: ChatCompletionHandler): Promise<ChatCompletionServer> {
  const server = await startChatCompletionServer(handler);
  servers.push(server);
  return server;
}

const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
const never = new AbortController().signal;

describe('createChatCompletionsEndpoint (the lean path on Node)', () => {
  it('posts the JSON body with the key and the organization and project of the environment', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(chatCompletion('{"ok":true}')));
    });
    vi.stubEnv('OPENAI_ORG_ID', 'org-test');
    vi.stubEnv('OPENAI_PROJECT_ID', 'proj_test');
    const model = createOpenAIModel({
      apiKey: 'sk-lean',
      baseURL: `${server.baseURL}/`,
      structuredOutput: 'json_object',
    });

    await expect(model.generate(modelRequest())).resolves.toMatchObject({ text: '{"ok":true}' });
    const [received] = server.requests;
    expect(received?.body).toMatchObject({ model: 'gpt-4o-mini', response_format: { type: 'json_object' } });
    expect(received?.body).not.toHaveProperty('stream');
    expect(received?.headers).toMatchObject({
      authorization: 'Bearer sk-lean',
      'content-type': 'application/json',
      'openai-organization': 'org-test',
      'openai-project': 'proj_test',
    });
  });

  it('throws the SDK error classes the SDK would: a status with its body and headers, a refused connection, a timeout', async () => {
    const server = await serve((request, response) => {
      if (request.body.model === 'slow') return; // never answers
      if (request.body.model === 'busy') {
        writeApiError(response, 429, 'Slow down.', { headers: { 'retry-after-ms': '250' } });
        return;
      }
      writeApiError(response, 400, 'Invalid schema for response_format', { param: 'response_format' });
    });
    const endpoint = createChatCompletionsEndpoint({ baseURL: server.baseURL, apiKey: 'sk', timeoutMs: 100 });

    const badRequest = await endpoint.complete(body, never).catch((error: unknown) => error);
    expect(badRequest).toBeInstanceOf(BadRequestError);
    expect(badRequest).toMatchObject({ status: 400, param: 'response_format', requestID: 'req_test_400' });
    const rateLimited = await endpoint.stream({ ...body, model: 'busy' }, never).catch((error: unknown) => error);
    expect(rateLimited).toBeInstanceOf(RateLimitError);
    expect((rateLimited as RateLimitError).headers?.get('retry-after-ms')).toBe('250');
    await expect(endpoint.complete({ ...body, model: 'slow' }, never)).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );

    await server.close();
    await expect(endpoint.complete(body, never)).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('fails with a connection error when the connection is cut halfway through a whole answer', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":"chatcmpl-cut",', () => response.socket?.destroy());
    });
    const endpoint = createChatCompletionsEndpoint({ baseURL: server.baseURL, apiKey: 'sk', timeoutMs: 5_000 });

    const error = await endpoint.complete(body, never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('times out a whole answer that stops halfway, not only one that never starts', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-half",');
    });
    const endpoint = createChatCompletionsEndpoint({ baseURL: server.baseURL, apiKey: 'sk', timeoutMs: 100 });

    await expect(endpoint.complete(body, never)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('streams the chunks until [DONE], asking for the usage, and throws an error the stream carries', async () => {
    const chunks = chatCompletionChunks(['{"a":', '1}'], { promptTokens: 5, completionTokens: 2 });
    const server = await serve(async (request, response) => {
      if (request.body.model === 'failing') {
        await writeEventStream(response, [chunks[0], { error: { message: 'The server had an error.' } }]);
        return;
      }
      await writeEventStream(response, chunks);
    });
    const endpoint = createChatCompletionsEndpoint({ baseURL: server.baseURL, apiKey: 'sk', timeoutMs: 1_000 });

    const received: unknown[] = [];
    for await (const chunk of await endpoint.stream(body, never)) received.push(chunk);
    expect(received).toEqual(chunks);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const failing: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of await endpoint.stream({ ...body, model: 'failing' }, never)) failing.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(failing).toHaveLength(1);
    expect(error).toMatchObject({ message: 'The server had an error.', status: undefined });
  });
});
