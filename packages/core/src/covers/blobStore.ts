/** Stores image bytes and answers with a stable URL to serve them from. */
export interface BlobStore {
  readonly specificationVersion: 'v1';
  put(
    key: string,
    data: Uint8Array,
    options: { contentType: string; abortSignal?: AbortSignal },
  ): Promise<{ url: string }>;
  get(key: string): Promise<{ data: Uint8Array; contentType: string } | null>;
  delete(key: string): Promise<void>;
}
