import { abortError } from '../shared/errors.js';
import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import { renderCoverArtwork } from './coverArtwork.js';
import type { ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';
import { encodePngAsync } from './png.js';

export interface OfflineImageProviderOptions {
  /**
   * Width of the PNG in pixels. Default: 800 (with the default height, the 1.91:1 ratio of Open Graph images;
   * sharp on a 400 px wide card on a 2× screen, and about 100–170 KB a cover).
   */
  width?: number;
  /** Height of the PNG in pixels. Default: 420. */
  height?: number;
}

/**
 * An image provider that needs no network or key: it draws cover artwork for each roadmap from a hash of its title
 * (a three-colour gradient, a faint pattern, and the title's first letter in a bitmap font) and returns PNG bytes.
 * The same title always gives the same bytes. It is the default provider of the reference server.
 *
 * @example
 * const imageProvider = createOfflineImageProvider({ width: 1200, height: 630 });
 * const engine = new RoadmapEngine({ storage, queue, model, imageProvider, blobStore });
 */
export function createOfflineImageProvider(options: OfflineImageProviderOptions = {}): ImageProvider {
  const width = options.width ?? 800;
  const height = options.height ?? 420;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 16 || value > 4096) {
      throw new RangeError(`Offline cover ${name} must be an integer from 16 to 4096, got ${value}`);
    }
  }
  return {
    specificationVersion: 'v1',
    provider: 'offline',
    async generate(request: ImageRequest): Promise<ImageResult> {
      const { abortSignal } = request;
      if (abortSignal.aborted) throw abortError(abortSignal);
      const title = request.title.trim() === '' ? request.prompt : request.title;
      // Drawing is synchronous CPU work: let due timers and I/O run before and after it.
      await yieldToEventLoop();
      if (abortSignal.aborted) throw abortError(abortSignal);
      const image = renderCoverArtwork({ title, width, height });
      await yieldToEventLoop();
      if (abortSignal.aborted) throw abortError(abortSignal);
      const data = await encodePngAsync(image);
      if (abortSignal.aborted) throw abortError(abortSignal);
      return { kind: 'bytes', data, contentType: 'image/png' };
    },
  };
}
