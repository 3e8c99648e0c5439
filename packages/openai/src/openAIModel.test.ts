import { intentSchema, isAbortError, RoadmapError, systemClock } from '@roadmap/core';
import { generateStructured } from '@roadmap/core/internal';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiError,
  type ChatRequestBody,
  chatCompletion,
  chatCompletionsURL,
  createRecorder,
  modelRequest,
} from './openAIFixtures.js';
import { createOpenAIModel } from './openAIModel.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.unstubAllEnvs();
});
afterAll(() => server.close());

const tutorial = {
  title: 'Goroutines',
  summary: 'Lightweight threads managed by the Go runtime.',
  content: '# Goroutines\n\nStart one with `go f()`.',
};

/** Answers every chat completion with the given responses in turn (the last one repeats), recording the bodies. */
function serveChat(...responses: Array<() => Response | Promise<Response>>) {
  const recorder = createRecorder<ChatRequestBody>();
  server.use(
    http.post(chatCompletionsURL, async ({ request }) => {
      const index = recorder.bodies.length;
      await recorder.record(request);
      const respond = responses[Math.min(index, responses.length - 1)];
      if (!respond) throw new Error('no response scripted');
      return respond();
    }),
  );
  return recorder;
}

const answer = (content: string | null, options?: Parameters<typeof chatCompletion>[1]) => () =>
  HttpResponse.json(chatCompletion(content, options));

async function rejection(promise: Promise<unknown>): Promise<RoadmapError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
  if (!RoadmapError.isInstance(error)) throw error;
  return error;
}

describe('createOpenAIModel: requests and answers', () => {
  it('sends the messages and a strict json_schema response format, and returns the text with its usage', async () => {
    const recorder = serveChat(answer(JSON.stringify(tutorial), { promptTokens: 321, completionTokens: 87 }));
    const onUsage = vi.fn();
    const model = createOpenAIModel({ apiKey: 'sk-test', model: 'gpt-4o-mini', temperature: 0.2, onUsage });
    const request = modelRequest();

    const result = await model.generate(request);

    expect(result).toEqual({ text: JSON.stringify(tutorial), usage: { inputTokens: 321, outputTokens: 87 } });
    expect(onUsage).toHaveBeenCalledWith({ inputTokens: 321, outputTokens: 87 }, request);
    expect(model).toMatchObject({ specificationVersion: 'v1', provider: 'openai', modelId: 'gpt-4o-mini' });
    expect(recorder.headers[0]?.get('authorization')).toBe('Bearer sk-test');
    const body = recorder.bodies[0];
    expect(body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You write concise programming tutorials.' },
        { role: 'user', content: 'Write a tutorial about goroutines.' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'tutorial', strict: true } },
    });
    expect(body?.response_format?.json_schema?.schema).toEqual({
      type: 'object',
      properties: {
        content: { type: 'string', description: '(minLength: 1)' },
        title: { type: 'string', description: '(minLength: 1)' },
        summary: { type: 'string', description: '(maxLength: 300)' },
      },
      required: ['content', 'title', 'summary'],
      additionalProperties: false,
    });
  });

  it('sends optional properties as nullable and turns the null answers back into absent properties', async () => {
    const partialIntent = intentSchema.partial({ time_constraint: true, focus_areas: true });
    const answerWithNulls = {
      parsed_goal: 'Learn Go',
      key_technologies: ['Go'],
      difficulty_profile: 'beginner',
      time_constraint: null,
      focus_areas: null,
    };
    const recorder = serveChat(answer(JSON.stringify(answerWithNulls)));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    const result = await model.generate(modelRequest({ schema: partialIntent, schemaName: 'intent' }));

    const schema = recorder.bodies[0]?.response_format?.json_schema?.schema as {
      required: string[];
      properties: Record<string, { type: unknown }>;
    };
    expect(schema.required).toEqual([
      'parsed_goal',
      'key_technologies',
      'difficulty_profile',
      'time_constraint',
      'focus_areas',
    ]);
    expect(schema.properties.time_constraint?.type).toEqual(['string', 'null']);
    expect(JSON.parse(result.text)).toEqual({
      parsed_goal: 'Learn Go',
      key_technologies: ['Go'],
      difficulty_profile: 'beginner',
    });
    expect(partialIntent.safeParse(JSON.parse(result.text)).success).toBe(true);
  });

  it('on a re-ask sends the rejected output as the assistant turn and the validation error to fix', async () => {
    const recorder = serveChat(answer(JSON.stringify(tutorial)));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    await model.generate(modelRequest({ feedback: { output: '{"title":', error: 'Output is not valid JSON' } }));

    const messages = recorder.bodies[0]?.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]?.content).toBe('{"title":');
    expect(messages[3]?.content).toContain('Output is not valid JSON');
    expect(messages[3]?.content).toContain('corrected JSON');
  });

  it('returns malformed JSON as text, leaving the verdict to the engine', async () => {
    serveChat(answer('{"title": "Goroutines", "summary": '));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    await expect(model.generate(modelRequest())).resolves.toMatchObject({
      text: '{"title": "Goroutines", "summary": ',
    });
  });

  it('fails with a non-retryable model_error on a refusal or an empty answer', async () => {
    serveChat(answer(null, { refusal: "I can't help with that." }), answer('  '));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    const refusal = await rejection(model.generate(modelRequest()));
    expect(refusal).toMatchObject({ code: 'model_error', retryable: false });
    expect(refusal.message).toContain("I can't help with that.");
    await expect(model.generate(modelRequest())).rejects.toMatchObject({ code: 'model_error', retryable: false });
  });
});

describe('createOpenAIModel with generateStructured (the engine side)', () => {
  const context = (model: ReturnType<typeof createOpenAIModel>, retries = 0) => ({
    model,
    clock: systemClock,
    retryPolicy: { retries, minDelayMs: 1, maxDelayMs: 5 },
    abortSignal: new AbortController().signal,
  });
  const { feedback: _feedback, abortSignal: _signal, ...call } = modelRequest();

  it('re-asks once with feedback after malformed JSON and uses the second, valid answer', async () => {
    const recorder = serveChat(
      answer('Sure! Here is your tutorial: {"title": "Goroutines"'),
      answer(JSON.stringify(tutorial)),
    );

    const output = await generateStructured(call, context(createOpenAIModel({ apiKey: 'sk-test' })));

    expect(output).toEqual(tutorial);
    expect(recorder.bodies).toHaveLength(2);
    const reask = recorder.bodies[1]?.messages ?? [];
    expect(reask[2]).toEqual({ role: 'assistant', content: 'Sure! Here is your tutorial: {"title": "Goroutines"' });
    expect(reask[3]?.content).toContain('not valid JSON');
  });

  it('re-asks once after output that violates the schema, then gives up with schema_validation_failed', async () => {
    const tooLong = JSON.stringify({ ...tutorial, summary: 'x'.repeat(301) });
    const recorder = serveChat(answer(tooLong));

    const error = await rejection(generateStructured(call, context(createOpenAIModel({ apiKey: 'sk-test' }))));

    expect(error.code).toBe('schema_validation_failed');
    expect(recorder.bodies).toHaveLength(2);
    expect(recorder.bodies[1]?.messages[3]?.content).toContain('summary');
  });

  it('waits as long as retry-after-ms asks and succeeds on the retry', async () => {
    const recorder = serveChat(
      () => apiError(429, 'Rate limit reached for gpt-4o-mini.', { headers: { 'retry-after-ms': '30' } }),
      answer(JSON.stringify(tutorial)),
    );

    const output = await generateStructured(call, context(createOpenAIModel({ apiKey: 'sk-test' }), 2));

    expect(output).toEqual(tutorial);
    expect(recorder.bodies).toHaveLength(2);
  });
});

describe('createOpenAIModel: errors the engine can act on', () => {
  it('maps 429 to a retryable rate_limited error with retryAfterMs from retry-after (seconds)', async () => {
    const recorder = serveChat(() =>
      apiError(429, 'Rate limit reached for gpt-4o-mini on tokens per min.', {
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': '7' },
      }),
    );
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    const error = await rejection(model.generate(modelRequest()));

    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7000, statusCode: 429 });
    expect(error.message).toContain('Rate limit reached');
    expect(recorder.bodies).toHaveLength(1); // the SDK's own retries are off: the engine retries
  });

  it('maps 500, 503, 408 and 409 to retryable model errors, without SDK retries even on a client brought along', async () => {
    for (const status of [500, 503, 408, 409]) {
      const recorder = serveChat(() => apiError(status, 'The server had an error while processing your request.'));
      const client = new OpenAI({ apiKey: 'sk-own', maxRetries: 5 });
      const error = await rejection(createOpenAIModel({ client }).generate(modelRequest()));
      expect(error).toMatchObject({ code: 'model_error', retryable: true, statusCode: status });
      expect(recorder.bodies).toHaveLength(1);
      server.resetHandlers();
    }
  });

  it('maps other 4xx to a non-retryable model_error carrying the API message', async () => {
    serveChat(() =>
      apiError(404, 'The model `gpt-9` does not exist or you do not have access to it.', { code: 'model_not_found' }),
    );
    const error = await rejection(createOpenAIModel({ apiKey: 'sk-test', model: 'gpt-9' }).generate(modelRequest()));

    expect(error).toMatchObject({ code: 'model_error', retryable: false, statusCode: 404 });
    expect(error.message).toContain('The model `gpt-9` does not exist');
  });

  it('maps a connection failure to a retryable model_error', async () => {
    serveChat(() => HttpResponse.error());
    const error = await rejection(createOpenAIModel({ apiKey: 'sk-test' }).generate(modelRequest()));

    expect(error).toMatchObject({ code: 'model_error', retryable: true });
  });

  it('maps a request that outlives timeoutMs to a retryable timeout error', async () => {
    server.use(
      http.post(chatCompletionsURL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const started = performance.now();
    const error = await rejection(createOpenAIModel({ apiKey: 'sk-test', timeoutMs: 50 }).generate(modelRequest()));

    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects with an AbortError soon after the signal aborts mid-request', async () => {
    let received!: () => void;
    const requestReceived = new Promise<void>((resolve) => {
      received = resolve;
    });
    server.use(
      http.post(chatCompletionsURL, async () => {
        received();
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = createOpenAIModel({ apiKey: 'sk-test' }).generate(modelRequest({ abortSignal: controller.signal }));
    await requestReceived;
    const started = performance.now();
    controller.abort();

    const error = await pending.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).name).toBe('AbortError');
    expect(RoadmapError.isInstance(error)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not send a request when the signal is already aborted', async () => {
    const recorder = serveChat(answer(JSON.stringify(tutorial)));
    const controller = new AbortController();
    controller.abort();

    const error = await createOpenAIModel({ apiKey: 'sk-test' })
      .generate(modelRequest({ abortSignal: controller.signal }))
      .catch((caught: unknown) => caught);

    expect(isAbortError(error)).toBe(true);
    expect(recorder.bodies).toHaveLength(0);
  });
});

describe('createOpenAIModel: servers without json_schema', () => {
  const unsupported = () =>
    apiError(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", {
      param: 'response_format',
      code: 'invalid_parameter',
    });

  it('falls back to json_object with the schema in the system prompt, and remembers it for later calls', async () => {
    const recorder = serveChat(unsupported, answer(JSON.stringify(tutorial)));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    await expect(model.generate(modelRequest())).resolves.toMatchObject({ text: JSON.stringify(tutorial) });
    await model.generate(modelRequest({ key: 'tutorial:concept-2' }));

    expect(recorder.bodies.map((body) => body.response_format?.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object',
    ]);
    const system = recorder.bodies[1]?.messages[0]?.content ?? '';
    expect(system).toContain('You write concise programming tutorials.');
    expect(system).toContain('JSON Schema');
    expect(system).toContain('"summary"');
  });

  it('falls back only for the schema the server refused when the message is about an invalid schema', async () => {
    const recorder = serveChat(
      () =>
        apiError(400, "Invalid schema for response_format 'tutorial': In context=(), 'pattern' is not permitted.", {
          param: 'response_format',
        }),
      answer(JSON.stringify(tutorial)),
    );
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    await model.generate(modelRequest());
    await model.generate(modelRequest());
    await model.generate(modelRequest({ schema: intentSchema, schemaName: 'intent' }));

    expect(recorder.bodies.map((body) => body.response_format?.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object',
      'json_schema',
    ]);
  });

  it("never sends json_schema with structuredOutput: 'json_object', and never falls back with 'json_schema'", async () => {
    const jsonObject = serveChat(answer(JSON.stringify(tutorial)));
    await createOpenAIModel({ apiKey: 'sk-test', structuredOutput: 'json_object' }).generate(modelRequest());
    expect(jsonObject.bodies[0]?.response_format).toEqual({ type: 'json_object' });

    server.resetHandlers();
    const jsonSchema = serveChat(unsupported);
    const error = await rejection(
      createOpenAIModel({ apiKey: 'sk-test', structuredOutput: 'json_schema' }).generate(modelRequest()),
    );
    expect(error).toMatchObject({ code: 'model_error', retryable: false, statusCode: 400 });
    expect(jsonSchema.bodies).toHaveLength(1);
  });
});

describe('createOpenAIModel: configuration', () => {
  it('talks to any OpenAI-compatible server at baseURL', async () => {
    const recorder = createRecorder<ChatRequestBody>();
    server.use(
      http.post('http://localhost:11434/v1/chat/completions', async ({ request }) => {
        await recorder.record(request);
        return HttpResponse.json(chatCompletion(JSON.stringify(tutorial), { model: 'llama3.1' }));
      }),
    );
    const model = createOpenAIModel({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama', model: 'llama3.1' });

    await expect(model.generate(modelRequest())).resolves.toMatchObject({ text: JSON.stringify(tutorial) });
    expect(recorder.bodies[0]?.model).toBe('llama3.1');
  });

  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and ROADMAP_MODEL from the environment', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-env');
    vi.stubEnv('OPENAI_BASE_URL', 'http://localhost:8000/v1');
    vi.stubEnv('ROADMAP_MODEL', 'Qwen/Qwen2.5-7B-Instruct');
    const recorder = createRecorder<ChatRequestBody>();
    server.use(
      http.post('http://localhost:8000/v1/chat/completions', async ({ request }) => {
        await recorder.record(request);
        return HttpResponse.json(chatCompletion(JSON.stringify(tutorial)));
      }),
    );
    const model = createOpenAIModel();

    await model.generate(modelRequest());

    expect(model.modelId).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(recorder.bodies[0]?.model).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(recorder.headers[0]?.get('authorization')).toBe('Bearer sk-from-env');
  });

  it('defaults to gpt-4o-mini on api.openai.com (the only host serveChat answers)', async () => {
    vi.stubEnv('OPENAI_BASE_URL', '');
    vi.stubEnv('ROADMAP_MODEL', '');
    const recorder = serveChat(answer(JSON.stringify(tutorial)));
    const model = createOpenAIModel({ apiKey: 'sk-test' });

    await model.generate(modelRequest());

    expect(model.modelId).toBe('gpt-4o-mini');
    expect(recorder.bodies[0]?.model).toBe('gpt-4o-mini');
  });

  it('refuses to start without an API key', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    expect(() => createOpenAIModel()).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
