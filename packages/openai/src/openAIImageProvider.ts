import { type ImageProvider, type ImageRequest, type ImageResult, type ImageUsage, RoadmapError } from '@roadmap/core';
import type OpenAI from 'openai';
import { defaultTimeoutMs, environmentVariable, type OpenAIClientOptions, resolveClient } from './openAIClient.js';
import { isRejectedParameter, toRoadmapError } from './providerError.js';

export interface OpenAIImageProviderOptions extends OpenAIClientOptions {
  /** Image model. Default: `ROADMAP_IMAGE_MODEL`, else `gpt-image-1`. */
  model?: string;
  /**
   * Image size, landscape for a cover. Default: `1536x1024` for GPT image models (and unknown models), `1792x1024`
   * for `dall-e-3`, `1024x1024` for `dall-e-2` (it has no landscape size).
   */
  size?: string;
}

/** GPT image models always answer base64 and reject `response_format`; every other model is asked for it. */
function sendsResponseFormat(model: string): boolean {
  return !model.startsWith('gpt-image');
}

function defaultSize(model: string): string {
  if (model.startsWith('dall-e-3')) return '1792x1024';
  if (model.startsWith('dall-e-2')) return '1024x1024';
  return '1536x1024';
}

const contentTypes: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/**
 * An `ImageProvider` over the Images API of the official `openai` SDK (`images.generate`, one image, base64):
 * the bytes come back for the blob store. `response_format: 'b64_json'` is sent to every model except the GPT image
 * models, which always answer base64 and reject the parameter; when a server rejects it anyway (a 400 about
 * `response_format`) the call is repeated without it, and so are later calls. Errors map like the model's:
 * 429 → retryable `rate_limited`, 408/409/5xx → retryable `provider_error`, timeouts → retryable `timeout`.
 *
 * @example
 * const images = createOpenAIImageProvider({ model: 'gpt-image-1' }); // OPENAI_API_KEY from the environment
 */
export function createOpenAIImageProvider(options: OpenAIImageProviderOptions = {}): ImageProvider {
  const client = resolveClient(options, 'createOpenAIImageProvider');
  const model = options.model ?? environmentVariable('ROADMAP_IMAGE_MODEL') ?? 'gpt-image-1';
  const size = options.size ?? defaultSize(model);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let withResponseFormat = sendsResponseFormat(model);

  async function generateImage(request: ImageRequest, responseFormat: boolean): Promise<OpenAI.ImagesResponse> {
    return client.images.generate(
      {
        model,
        prompt: request.prompt,
        size: size as OpenAI.ImageGenerateParams['size'],
        n: 1,
        ...(responseFormat ? { response_format: 'b64_json' as const } : {}),
      },
      { signal: request.abortSignal, maxRetries: 0, timeout: timeoutMs },
    );
  }

  async function download(url: string, request: ImageRequest): Promise<ImageResult> {
    const response = await fetch(url, { signal: request.abortSignal });
    if (!response.ok) {
      throw new RoadmapError('provider_error', `Downloading the generated image failed (${response.status}).`, {
        retryable: response.status >= 500 || response.status === 429,
        statusCode: response.status,
      });
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || 'image/png';
    return { kind: 'bytes', data: new Uint8Array(await response.arrayBuffer()), contentType };
  }

  return {
    specificationVersion: 'v1',
    provider: 'openai',
    modelId: model,
    async generate(request: ImageRequest): Promise<ImageResult> {
      request.abortSignal.throwIfAborted();
      const errorContext = {
        action: `Image generation (${model}, ${request.roadmapId})`,
        failureCode: 'provider_error',
        abortSignal: request.abortSignal,
      } as const;
      try {
        let response: OpenAI.ImagesResponse;
        try {
          response = await generateImage(request, withResponseFormat);
        } catch (error) {
          if (!withResponseFormat || !isRejectedParameter(error, /response_format/i)) throw error;
          withResponseFormat = false;
          response = await generateImage(request, false);
        }
        const image = response.data?.[0];
        // GPT image models report tokens; DALL·E reports none and is priced per image.
        const usage: ImageUsage = response.usage
          ? { images: 1, inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens }
          : { images: 1 };
        if (image?.b64_json) {
          const contentType = contentTypes[response.output_format ?? 'png'] ?? 'image/png';
          return { kind: 'bytes', data: new Uint8Array(Buffer.from(image.b64_json, 'base64')), contentType, usage };
        }
        // A server that ignored response_format answers with a (short-lived) URL: keep the bytes, not the link.
        if (image?.url) return { ...(await download(image.url, request)), usage };
        throw new RoadmapError('provider_error', `${errorContext.action} returned no image.`);
      } catch (error) {
        throw toRoadmapError(error, errorContext);
      }
    },
  };
}
