import { type LanguageModel, RoadmapError } from '@roadmap/core';

/**
 * A `LanguageModel` that asks the fake model server over HTTP (what a worker process uses in the crash tests).
 * A poison answer makes the process kill itself, as a crashing dependency would.
 */
export function createHttpModel(options: { url: string; worker: string }): LanguageModel {
  return {
    specificationVersion: 'v1',
    provider: 'fake-http',
    modelId: 'fake-1',
    async generate(request) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-worker': options.worker },
        body: JSON.stringify({ operation: request.operation, key: request.key, input: request.input }),
        signal: request.abortSignal,
      });
      if (response.headers.get('x-poison') === '1') process.kill(process.pid, 'SIGKILL');
      if (!response.ok) {
        throw new RoadmapError('model_error', `fake model answered ${response.status}`, {
          retryable: response.status >= 500,
          statusCode: response.status,
        });
      }
      const body = (await response.json()) as { text: string };
      return { text: body.text };
    },
  };
}
