import type { ImageAttribution } from '../domain/coverRecord.js';

export type { ImageAttribution };
/** What an image provider is asked for. */
export interface ImageRequest {
  roadmapId: string;
  /** Text prompt (the roadmap's title and topic). */
  prompt: string;
  title: string;
  abortSignal: AbortSignal;
}

/** Either bytes to store in the blob store, or a URL the provider hosts. */
export type ImageResult =
  | { kind: 'bytes'; data: Uint8Array; contentType: string; attribution?: ImageAttribution }
  | { kind: 'url'; url: string; attribution?: ImageAttribution };

export interface ImageProvider {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  generate(request: ImageRequest): Promise<ImageResult>;
}
