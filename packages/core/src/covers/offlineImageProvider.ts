import { abortError } from '../shared/errors.js';
import { renderCoverArtwork } from './coverArtwork.js';
import type { ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';

export interface OfflineImageProviderOptions {
  /**
   * Width of the artwork in pixels: the SVG's `width` and `viewBox`, so `<img>` shows it at this size unless styled
   * otherwise; being vector art it stays sharp at any size. Default: 800 (with the default height, the 1.91:1 ratio
   * of Open Graph images).
   */
  width?: number;
  /** Height of the artwork in pixels. Default: 420. */
  height?: number;
}

/** The exact byte arrays this module drew: the only SVG a cover generator stores (see {@link isOfflineArtwork}). */
const drawn = new WeakSet<Uint8Array>();

/**
 * Whether `data` is the very array an offline image provider of this module returned. The cover generator stores
 * SVG only then: bytes from any other provider (or a copy of these) must be PNG, JPEG or WebP, so no SVG written by
 * someone else is ever served from the app's origin.
 */
export function isOfflineArtwork(data: Uint8Array): boolean {
  return drawn.has(data);
}

/**
 * An image provider that needs no network or key: it draws cover artwork for each roadmap from a hash of its title
 * (a three-colour gradient, a faint pattern, the title's first letter in a disc, and the title) and returns it as
 * SVG bytes (`image/svg+xml`, a few kilobytes). The same title and size always give the same bytes. It is the
 * default provider of the engine and of the reference server.
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
  const encoder = new TextEncoder();
  return {
    specificationVersion: 'v1',
    provider: 'offline',
    async generate(request: ImageRequest): Promise<ImageResult> {
      const { abortSignal } = request;
      if (abortSignal.aborted) throw abortError(abortSignal);
      const title = request.title.trim() === '' ? request.prompt : request.title;
      const data = encoder.encode(renderCoverArtwork({ title, width, height }));
      drawn.add(data);
      return { kind: 'bytes', data, contentType: 'image/svg+xml' };
    },
  };
}
