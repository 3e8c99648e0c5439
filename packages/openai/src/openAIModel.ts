import {
  type LanguageModel,
  type ModelRequest,
  type ModelResult,
  type ModelStreamPart,
  type ModelUsage,
  RoadmapError,
} from '@roadmap/core';
import type OpenAI from 'openai';
import { chatMessages } from './chatMessages.js';
import {
  defaultTimeoutMs,
  environmentVariable,
  type OpenAIClientOptions,
  resolveChatCompletionsEndpoint,
  resolveClient,
} from './openAIClient.js';
import { isRejectedParameter, toRoadmapError } from './providerError.js';
import { type JsonSchema, removeNullOptionalProperties, toStrictJsonSchema } from './strictJsonSchema.js';

/** How the output schema reaches the server. */
export type StructuredOutputMode = 'json_schema' | 'json_object' | 'auto';

export interface OpenAIModelOptions extends OpenAIClientOptions {
  /** Model name as the server knows it (`gpt-4o-mini`, `llama3.1`, `openai/gpt-4o`…). Default: `ROADMAP_MODEL`, else `gpt-4o-mini`. */
  model?: string;
  /**
   * How the output schema is sent. `json_schema`: Structured Outputs (`response_format: { type: 'json_schema',
   * json_schema: { name, schema, strict } }`). `json_object`: JSON mode, with the schema in the system prompt, for
   * servers without json_schema. `auto`: json_schema first; when the server rejects it (a 400 about
   * `response_format`/`json_schema`) this call is repeated in json_object mode, and so are all later calls (only
   * later calls of the same schema when the server merely rejected that schema). Default: `auto`.
   */
  structuredOutput?: StructuredOutputMode;
  /** Sampling temperature. Default: not sent (the server's default). */
  temperature?: number;
  /** Called with the token usage of every successful call that reported it. Default: none. */
  onUsage?: (usage: ModelUsage, request: ModelRequest) => void;
  /**
   * Whether the model offers `stream` (SPEC §7 streaming): Chat Completions with `stream: true` and
   * `stream_options: { include_usage: true }`, the same response format, each `delta.content` handed on as it
   * arrives. The engine streams tutorials with it. Turn it off for a server that cannot stream. Default: true.
   */
  stream?: boolean;
  /**
   * The most output tokens a call may produce, sent as `max_completion_tokens` and used for the worst case a budget
   * reserves before each call (SPEC §7 budgets). Default: not sent; budgets assume 16,384.
   */
  maxOutputTokens?: number;
}

/** What one request sends as `response_format`, with what the model must know in its prompt. */
interface OutputFormat {
  responseFormat: OpenAI.ChatCompletionCreateParams['response_format'];
  /** The JSON Schema the system prompt carries (json_object mode). */
  schemaInPrompt?: JsonSchema;
}

/**
 * JSON Schemas already built, per zod schema object: the engine passes the same few schemas on every call, and
 * converting one costs a fraction of a millisecond of CPU that would otherwise be paid by every concurrent call.
 */
const jsonSchemas = new WeakMap<object, JsonSchema | null>();
/** Strict forms already built, per JSON Schema from {@link jsonSchemas}. */
const strictJsonSchemas = new WeakMap<JsonSchema, ReturnType<typeof toStrictJsonSchema>>();

/** The request schema as JSON Schema (the input side: fields with defaults are optional), if zod can express it. */
function jsonSchemaOf(request: ModelRequest): JsonSchema | undefined {
  const schema = request.schema as { toJSONSchema?: (params: object) => unknown };
  if (typeof schema !== 'object' || schema === null) return undefined;
  const cached = jsonSchemas.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  let converted: JsonSchema | null = null;
  if (typeof schema.toJSONSchema === 'function') {
    try {
      const json = schema.toJSONSchema({ io: 'input', unrepresentable: 'any' });
      converted = typeof json === 'object' && json !== null ? (json as JsonSchema) : null;
    } catch {
      converted = null;
    }
  }
  jsonSchemas.set(schema, converted);
  return converted ?? undefined;
}

/** {@link toStrictJsonSchema}, once per JSON Schema object. */
function strictJsonSchemaOf(jsonSchema: JsonSchema): ReturnType<typeof toStrictJsonSchema> {
  let strict = strictJsonSchemas.get(jsonSchema);
  if (strict === undefined) {
    strict = toStrictJsonSchema(jsonSchema);
    strictJsonSchemas.set(jsonSchema, strict);
  }
  return strict;
}

/** `response_format.json_schema.name` allows a-z, A-Z, 0-9, `_` and `-`, at most 64 characters. */
function schemaNameOf(request: ModelRequest): string {
  const name = request.schemaName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return name.length > 0 ? name : 'output';
}

const responseFormatPattern = /response_format|json_schema/i;
const invalidSchemaPattern = /invalid schema/i;

/**
 * A `LanguageModel` over Chat Completions of the official `openai` SDK, for OpenAI or any OpenAI-compatible server.
 * The output schema goes out as a strict json_schema response format (falling back to JSON mode where the server
 * lacks it); errors come back as `RoadmapError`s the engine retries (429, 408, 409, 5xx, timeouts) or not.
 *
 * @example
 * const model = createOpenAIModel({ model: 'gpt-4o-mini' }); // OPENAI_API_KEY from the environment
 * const engine = new RoadmapEngine({ storage, queue, model });
 *
 * @example
 * // Ollama on this machine, JSON mode only
 * const model = createOpenAIModel({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama', model: 'llama3.1' });
 */
export function createOpenAIModel(options: OpenAIModelOptions = {}): LanguageModel {
  const client = resolveClient(options, 'createOpenAIModel');
  /** The lean path for the calls of a client built here (on Node); the SDK's `client` otherwise. */
  const endpoint = resolveChatCompletionsEndpoint(options, 'createOpenAIModel');
  const modelId = options.model ?? environmentVariable('ROADMAP_MODEL') ?? 'gpt-4o-mini';
  const mode = options.structuredOutput ?? 'auto';
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  /** Set once the server rejected json_schema (auto mode): every later call uses json_object. */
  let jsonSchemaUnsupported = false;
  /** Schemas the server refused in strict json_schema form (auto mode): their later calls use json_object. */
  const rejectedSchemaNames = new Set<string>();

  function outputFormat(request: ModelRequest, jsonSchema: JsonSchema | undefined): OutputFormat {
    const useJsonObject =
      mode === 'json_object' ||
      (mode === 'auto' && (jsonSchemaUnsupported || rejectedSchemaNames.has(request.schemaName)));
    if (jsonSchema === undefined) return { responseFormat: { type: 'json_object' } };
    if (useJsonObject) return { responseFormat: { type: 'json_object' }, schemaInPrompt: jsonSchema };
    const { schema, strict } = strictJsonSchemaOf(jsonSchema);
    return { responseFormat: { type: 'json_schema', json_schema: { name: schemaNameOf(request), schema, strict } } };
  }

  /** The body every call sends, streamed or not. */
  function body(request: ModelRequest, format: OutputFormat) {
    return {
      model: modelId,
      messages: chatMessages(request, format.schemaInPrompt),
      response_format: format.responseFormat,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.maxOutputTokens === undefined ? {} : { max_completion_tokens: options.maxOutputTokens }),
    };
  }

  async function complete(request: ModelRequest, format: OutputFormat): Promise<OpenAI.ChatCompletion> {
    if (endpoint) return endpoint.complete(body(request, format), request.abortSignal);
    return client.chat.completions.create(body(request, format), {
      signal: request.abortSignal,
      maxRetries: 0,
      timeout: timeoutMs,
    });
  }

  async function openStream(
    request: ModelRequest,
    format: OutputFormat,
  ): Promise<AsyncIterable<OpenAI.ChatCompletionChunk>> {
    if (endpoint) return endpoint.stream(body(request, format), request.abortSignal);
    return client.chat.completions.create(
      { ...body(request, format), stream: true, stream_options: { include_usage: true } },
      { signal: request.abortSignal, maxRetries: 0, timeout: timeoutMs },
    );
  }

  /** `call` with the format for `request`; in auto mode, once more in json_object mode when json_schema is refused. */
  async function withFallback<Result>(
    request: ModelRequest,
    jsonSchema: JsonSchema | undefined,
    call: (request: ModelRequest, format: OutputFormat) => Promise<Result>,
  ): Promise<Result> {
    const format = outputFormat(request, jsonSchema);
    try {
      return await call(request, format);
    } catch (error) {
      const fallback =
        mode === 'auto' &&
        format.responseFormat?.type === 'json_schema' &&
        !request.abortSignal.aborted &&
        isRejectedParameter(error, responseFormatPattern);
      if (!fallback) throw error;
      if (isRejectedParameter(error, invalidSchemaPattern)) rejectedSchemaNames.add(request.schemaName);
      else jsonSchemaUnsupported = true;
      return call(request, { responseFormat: { type: 'json_object' }, schemaInPrompt: jsonSchema });
    }
  }

  const failure = (error: unknown, request: ModelRequest) =>
    toRoadmapError(error, {
      action: `Chat completion (${modelId}, ${request.key})`,
      failureCode: 'model_error',
      abortSignal: request.abortSignal,
    });

  const model: LanguageModel = {
    specificationVersion: 'v1',
    provider: 'openai',
    modelId,
    ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
    async generate(request: ModelRequest): Promise<ModelResult> {
      request.abortSignal.throwIfAborted();
      const jsonSchema = jsonSchemaOf(request);
      let completion: OpenAI.ChatCompletion;
      try {
        completion = await withFallback(request, jsonSchema, complete);
      } catch (error) {
        throw failure(error, request);
      }
      const message = completion.choices[0]?.message;
      if (message?.refusal) {
        throw new RoadmapError('model_error', `The model refused ${request.key}: ${message.refusal}`);
      }
      const content = message?.content;
      if (typeof content !== 'string' || content.trim() === '') {
        const reason = completion.choices[0]?.finish_reason ?? 'no choice';
        throw new RoadmapError('model_error', `The model returned no content for ${request.key} (${reason}).`);
      }
      const usage: ModelUsage | undefined = completion.usage
        ? { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens }
        : undefined;
      if (usage) options.onUsage?.(usage, request);
      return { text: withoutNullOptionals(content, jsonSchema), ...(usage ? { usage } : {}) };
    },
  };
  if (options.stream === false) return model;
  model.stream = async function* (request: ModelRequest): AsyncIterable<ModelStreamPart> {
    request.abortSignal.throwIfAborted();
    const jsonSchema = jsonSchemaOf(request);
    let text = '';
    let refusal = '';
    let finishReason: string | null = null;
    let usage: ModelUsage | undefined;
    let opened = false;
    try {
      const chunks = await withFallback(request, jsonSchema, openStream);
      opened = true;
      for await (const chunk of chunks) {
        // The last chunk (stream_options.include_usage) has the usage and no choice.
        if (chunk.usage) {
          usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.delta?.refusal) refusal += choice.delta.refusal;
        if (choice.finish_reason) finishReason = choice.finish_reason;
        const piece = choice.delta?.content;
        request.abortSignal.throwIfAborted();
        if (piece) {
          text += piece;
          yield { type: 'text-delta', text: piece };
        }
      }
      // An abort may end the SDK's iteration quietly: the call did not finish.
      request.abortSignal.throwIfAborted();
    } catch (error) {
      if (opened && !request.abortSignal.aborted && !RoadmapError.isInstance(error)) {
        // The answer had begun: the connection broke mid-stream. Asking again may succeed.
        throw new RoadmapError('model_error', `Chat completion (${modelId}, ${request.key}) was cut off mid-stream.`, {
          cause: error,
          retryable: true,
        });
      }
      throw failure(error, request);
    }
    if (refusal) throw new RoadmapError('model_error', `The model refused ${request.key}: ${refusal}`);
    if (text.trim() === '') {
      throw new RoadmapError(
        'model_error',
        `The model returned no content for ${request.key} (${finishReason ?? 'no choice'}).`,
      );
    }
    if (usage) options.onUsage?.(usage, request);
    const adjusted = withoutNullOptionals(text, jsonSchema);
    yield { type: 'finish', ...(usage ? { usage } : {}), ...(adjusted === text ? {} : { text: adjusted }) };
  };
  return model;
}

/**
 * The answer with `null`s removed where the schema has an optional, non-nullable property (strict mode makes the
 * model write `null` for "absent"). Text that is not JSON, or needs no change, is returned as it came: the engine
 * judges it.
 */
function withoutNullOptionals(text: string, jsonSchema: JsonSchema | undefined): string {
  // No `null` anywhere in the text: nothing to remove, and no second parse of the answer.
  if (jsonSchema === undefined || !text.includes('null')) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return removeNullOptionalProperties(value, jsonSchema) > 0 ? JSON.stringify(value) : text;
}
