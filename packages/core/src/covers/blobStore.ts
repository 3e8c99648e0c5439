/**
 * Offered by a storage that keeps its data in files (SQLite on a file): the blob store the engine uses when given
 * none, beside those files, so covers survive a restart whenever the data does.
 */
export interface DefaultBlobStoreSource {
  /** A blob store beside the storage's files (SQLite: a `cover-images` folder next to the database file). */
  defaultBlobStore(): BlobStore;
}

/** Stores image bytes and answers with a stable URL to serve them from. */
export interface BlobStore {
  readonly specificationVersion: 'v1';
  put(
    key: string,
    data: Uint8Array,
    options: { contentType: string; abortSignal?: AbortSignal },
  ): Promise<{ url: string }>;
  get(key: string): Promise<{ data: Uint8Array; contentType: string } | null>;
  /**
   * Whether a blob is stored under `key`, without reading it (a stat, a HEAD). Optional: without it the engine
   * checks with `get`. Used to notice a cover whose image is gone (a lost folder, an in-memory store after a
   * restart) and generate it again instead of serving a broken link.
   */
  has?(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
