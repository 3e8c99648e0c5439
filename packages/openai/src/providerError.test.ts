import { isAbortError, RoadmapError } from '@roadmap/core';
import { APIError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { isRejectedParameter, toRoadmapError } from './providerError.js';

const context = {
  action: 'Chat completion',
  failureCode: 'model_error',
  abortSignal: new AbortController().signal,
} as const;

describe('toRoadmapError', () => {
  it('recognises SDK errors from another copy of the openai package by their class names', () => {
    class APIError extends Error {}
    class APIConnectionError extends APIError {}
    class APIConnectionTimeoutError extends APIConnectionError {}
    class APIUserAbortError extends APIError {}

    expect(toRoadmapError(new APIConnectionTimeoutError('Request timed out.'), context)).toMatchObject({
      code: 'timeout',
      retryable: true,
    });
    expect(toRoadmapError(new APIConnectionError('Connection error.'), context)).toMatchObject({
      code: 'model_error',
      retryable: true,
    });
    expect(toRoadmapError(new APIUserAbortError('Request was aborted.'), context).name).toBe('AbortError');
  });

  it('turns any error into the abort when the caller’s signal has aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const error = toRoadmapError(new RateLimitError(429, undefined, undefined, new Headers()), {
      ...context,
      abortSignal: controller.signal,
    });
    expect(isAbortError(error)).toBe(true);
  });

  it('passes RoadmapErrors through and wraps unknown errors as non-retryable', () => {
    const own = new RoadmapError('model_error', 'refused');
    expect(toRoadmapError(own, context)).toBe(own);
    expect(toRoadmapError(new TypeError('boom'), { ...context, failureCode: 'provider_error' })).toMatchObject({
      code: 'provider_error',
      retryable: false,
      message: 'Chat completion failed: boom',
    });
  });
});

describe('isRejectedParameter', () => {
  const badRequest = (message: string, param: string | null = null) =>
    APIError.generate(
      400,
      { error: { message, type: 'invalid_request_error', param, code: null } },
      undefined,
      new Headers(),
    );

  it('is true for a 400 naming the parameter in its message or param', () => {
    expect(isRejectedParameter(badRequest("Unknown parameter: 'response_format'."), /response_format/)).toBe(true);
    expect(isRejectedParameter(badRequest('Not supported.', 'response_format'), /response_format/)).toBe(true);
  });

  it('is false for other 400s and other statuses', () => {
    expect(isRejectedParameter(badRequest("'messages' must not be empty.", 'messages'), /response_format/)).toBe(false);
    const serverError = APIError.generate(500, { error: { message: 'response_format' } }, undefined, new Headers());
    expect(isRejectedParameter(serverError, /response_format/)).toBe(false);
  });
});
