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

/** Credit a provider requires to be shown with the image (Unsplash does). */
export interface ImageAttribution {
  author: string;
  authorUrl: string;
  source: string;
  sourceUrl: string;
}

export interface ImageProvider {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  generate(request: ImageRequest): Promise<ImageResult>;
}
