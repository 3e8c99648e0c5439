import { abortError } from '../shared/errors.js';
import { assertValidBlobKey } from './blobKey.js';
import type { BlobStore } from './blobStore.js';

export interface MemoryBlobStoreOptions {
  /**
   * Prefix of the URLs `put` answers with; the key is appended, percent-encoded (`/` too). Serve
   * `${baseUrl}/:key` by reading `get(decodeURIComponent(key))`. Default: `'/api/v1/cover-images'`.
   */
  baseUrl?: string;
}

/**
 * A blob store that keeps bytes in a `Map`: for tests, demos and single-process servers that may lose covers on
 * restart. Stored bytes are copied in and out, so callers cannot change them afterwards.
 *
 * @example
 * const blobStore = createMemoryBlobStore({ baseUrl: 'https://example.com/covers' });
 * const { url } = await blobStore.put('roadmap-1.png', bytes, { contentType: 'image/png' });
 */
export function createMemoryBlobStore(options: MemoryBlobStoreOptions = {}): BlobStore {
  const baseUrl = (options.baseUrl ?? '/api/v1/cover-images').replace(/\/+$/, '');
  const blobs = new Map<string, { data: Uint8Array; contentType: string }>();
  return {
    specificationVersion: 'v1',
    async put(key, data, putOptions) {
      assertValidBlobKey(key);
      if (putOptions.abortSignal?.aborted) throw abortError(putOptions.abortSignal);
      blobs.set(key, { data: data.slice(), contentType: putOptions.contentType });
      return { url: `${baseUrl}/${encodeURIComponent(key)}` };
    },
    async get(key) {
      assertValidBlobKey(key);
      const blob = blobs.get(key);
      return blob === undefined ? null : { data: blob.data.slice(), contentType: blob.contentType };
    },
    async has(key) {
      assertValidBlobKey(key);
      return blobs.has(key);
    },
    async delete(key) {
      assertValidBlobKey(key);
      blobs.delete(key);
    },
  };
}
