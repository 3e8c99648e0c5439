/**
 * `@roadmap/core/node`: adapters that need Node built-ins (the file system). The main entry stays free of them,
 * so it runs in browsers and edge runtimes.
 */

export type { FileBlobStoreOptions } from './covers/fileBlobStore.js';
export { createFileBlobStore } from './covers/fileBlobStore.js';
