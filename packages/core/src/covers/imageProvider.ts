import type { ImageAttribution } from '../domain/coverRecord.js';
import type { ImageCallTokens } from '../domain/modelPrices.js';

export type { ImageAttribution };
/** What an image provider is asked for. */
export interface ImageRequest {
  roadmapId: string;
  /** Text prompt (the roadmap's title and topic). */
  prompt: string;
  title: string;
  abortSignal: AbortSignal;
}

/**
 * What an image call used (SPEC §7 usage): the images made, and the tokens when the provider reports them; priced by
 * the engine's price table under the provider's `modelId`. Providers that cost nothing (offline artwork, stock
 * photos) report none.
 */
export type ImageUsage = ImageCallTokens;

/** Either bytes to store in the blob store, or a URL the provider hosts; `usage` when the call cost something. */
export type ImageResult =
  | { kind: 'bytes'; data: Uint8Array; contentType: string; attribution?: ImageAttribution; usage?: ImageUsage }
  | { kind: 'url'; url: string; attribution?: ImageAttribution; usage?: ImageUsage };

export interface ImageProvider {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  /** The image model, whose price turns `usage` into a cost (e.g. `gpt-image-1`). */
  readonly modelId?: string;
  generate(request: ImageRequest): Promise<ImageResult>;
}
