/**
 * Test support: response bodies shaped like the real OpenAI API's, and a recorder of what the msw handlers received.
 * Not exported from the package.
 */
import { type ModelRequest, tutorialSchema } from '@roadmap/core';
import { HttpResponse } from 'msw';

export const openAIBaseURL = 'https://api.openai.com/v1';
export const chatCompletionsURL = `${openAIBaseURL}/chat/completions`;
export const imageGenerationsURL = `${openAIBaseURL}/images/generations`;

let completionNumber = 0;

/** A `chat.completion` object answering `content`. */
export function chatCompletion(
  content: string | null,
  options: { promptTokens?: number; completionTokens?: number; refusal?: string; model?: string } = {},
) {
  completionNumber += 1;
  const promptTokens = options.promptTokens ?? 120;
  const completionTokens = options.completionTokens ?? 45;
  return {
    id: `chatcmpl-test${String(completionNumber).padStart(6, '0')}`,
    object: 'chat.completion',
    created: 1_767_225_600 + completionNumber,
    model: options.model ?? 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: options.refusal ?? null, annotations: [] },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    service_tier: 'default',
    system_fingerprint: 'fp_test',
  };
}

/** An API error response: `{ error: { message, type, param, code } }` with the status and headers given. */
export function apiError(
  status: number,
  message: string,
  options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
) {
  return HttpResponse.json(
    {
      error: {
        message,
        type: options.type ?? (status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
    { status, headers: { 'x-request-id': `req_test_${status}`, ...options.headers } },
  );
}

/** An images response carrying one base64 image. */
export function imagesResponse(image: { b64_json?: string; url?: string }, outputFormat?: 'png' | 'webp' | 'jpeg') {
  return {
    created: 1_767_225_600,
    data: [{ ...image, revised_prompt: null }],
    // GPT image models answer the format, size, quality and their token usage; DALL·E answers none of them.
    ...(outputFormat
      ? {
          output_format: outputFormat,
          size: '1536x1024',
          quality: 'medium',
          usage: {
            input_tokens: 38,
            input_tokens_details: { text_tokens: 38, image_tokens: 0 },
            output_tokens: 1056,
            total_tokens: 1094,
          },
        }
      : {}),
  };
}

/** The 8-byte PNG signature followed by a few bytes: enough to recognise as "the image we served". */
export const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: {
    type: string;
    json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean };
  };
  temperature?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_completion_tokens?: number;
}

/** Collects the JSON bodies (and headers) an msw handler received. */
export function createRecorder<Body>() {
  const bodies: Body[] = [];
  const headers: Headers[] = [];
  return {
    bodies,
    headers,
    async record(request: Request): Promise<Body> {
      const body = (await request.clone().json()) as Body;
      bodies.push(body);
      headers.push(request.headers);
      return body;
    },
  };
}

/**
 * The `chat.completion.chunk` objects a streamed Chat Completion sends for `pieces` (as the real API: the role first,
 * then one chunk per piece, one with `finish_reason`, and — asked with `stream_options.include_usage` — a last chunk
 * with the usage and no choice).
 */
export function chatCompletionChunks(
  pieces: readonly string[],
  options: { promptTokens?: number; completionTokens?: number; finishReason?: string; refusal?: string } = {},
) {
  completionNumber += 1;
  const base = {
    id: `chatcmpl-test${String(completionNumber).padStart(6, '0')}`,
    object: 'chat.completion.chunk',
    created: 1_767_225_600 + completionNumber,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_test',
  };
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  });
  const promptTokens = options.promptTokens ?? 120;
  const completionTokens = options.completionTokens ?? 45;
  return [
    choice({ role: 'assistant', content: '', refusal: null }),
    ...(options.refusal ? [choice({ refusal: options.refusal })] : []),
    ...pieces.map((piece) => choice({ content: piece })),
    choice({}, options.finishReason ?? 'stop'),
    {
      ...base,
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
  ];
}

/** A tutorial call as the engine makes it (what the adapter's tests send), with `overrides`. */
export function modelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    operation: 'tutorial',
    key: 'tutorial:concept-1',
    schemaName: 'tutorial',
    schema: tutorialSchema,
    system: 'You write concise programming tutorials.',
    prompt: 'Write a tutorial about goroutines.',
    input: { preferences: { learning_goal: 'Learn Go', available_hours_per_week: 10, current_level: 'beginner' } },
    abortSignal: new AbortController().signal,
    ...overrides,
  };
}
