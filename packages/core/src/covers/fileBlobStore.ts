import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { abortError, RoadmapError } from '../shared/errors.js';
import { assertValidBlobKey } from './blobKey.js';
import type { BlobStore } from './blobStore.js';

export interface FileBlobStoreOptions {
  /** Directory the files go in; created when missing. Keys with `/` become subdirectories. */
  directory: string;
  /**
   * Prefix of the URLs `put` answers with; the key is appended, percent-encoded (`/` too). Serve
   * `${baseUrl}/:key` by reading `get(decodeURIComponent(key))`. Default: `'/api/v1/cover-images'`.
   */
  baseUrl?: string;
}

/** Suffix of the file beside each blob that records its content type; keys may not end with it. */
const metadataSuffix = '.meta.json';

const contentTypesByExtension: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.avif': 'image/avif',
};

/**
 * A blob store keeping each blob as a file under `directory` (Node only: import it from `@roadmap/core/node`).
 * Writes are atomic (a temporary file renamed over the target), so a reader never sees half a file; the content
 * type is kept beside the file in `<file>.meta.json` (when that is missing, it is guessed from the extension).
 *
 * @example
 * import { createFileBlobStore } from '@roadmap/core/node';
 * const blobStore = createFileBlobStore({ directory: path.join(dataDirectory, 'cover-images') });
 */
export function createFileBlobStore(options: FileBlobStoreOptions): BlobStore {
  if (typeof options?.directory !== 'string' || options.directory === '') {
    throw new RoadmapError('invalid_input', 'createFileBlobStore needs a directory');
  }
  const root = path.resolve(options.directory);
  const baseUrl = (options.baseUrl ?? '/api/v1/cover-images').replace(/\/+$/, '');

  const fileOf = (key: string): string => {
    assertValidBlobKey(key);
    if (key.endsWith(metadataSuffix)) {
      throw new RoadmapError(
        'invalid_input',
        `Invalid blob key ${JSON.stringify(key)}: "${metadataSuffix}" is reserved`,
        {
          errors: [{ path: 'key', message: `a key must not end with "${metadataSuffix}"` }],
        },
      );
    }
    const file = path.resolve(root, ...key.split('/'));
    // Validation already rules out escapes; this guards against surprises of the platform's path rules.
    if (!file.startsWith(root + path.sep)) {
      throw new RoadmapError('invalid_input', `Invalid blob key ${JSON.stringify(key)}: it leaves the directory`);
    }
    return file;
  };

  return {
    specificationVersion: 'v1',
    async put(key, data, putOptions) {
      const file = fileOf(key);
      const signal = putOptions.abortSignal;
      if (signal?.aborted) throw abortError(signal);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeAtomically(
          `${file}${metadataSuffix}`,
          JSON.stringify({ contentType: putOptions.contentType }),
          signal,
        );
        await writeAtomically(file, data, signal);
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        throw new RoadmapError('storage_error', `Could not write blob ${JSON.stringify(key)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      return { url: `${baseUrl}/${encodeURIComponent(key)}` };
    },
    async get(key) {
      const file = fileOf(key);
      let data: Uint8Array;
      try {
        data = new Uint8Array(await readFile(file));
      } catch (error) {
        if (codeOf(error) === 'ENOENT' || codeOf(error) === 'EISDIR') return null;
        throw new RoadmapError('storage_error', `Could not read blob ${JSON.stringify(key)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      return { data, contentType: await readContentType(file) };
    },
    async has(key) {
      const file = fileOf(key);
      try {
        return (await stat(file)).isFile();
      } catch (error) {
        if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return false;
        throw new RoadmapError('storage_error', `Could not look up blob ${JSON.stringify(key)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
    },
    async delete(key) {
      const file = fileOf(key);
      try {
        await rm(file, { force: true });
        await rm(`${file}${metadataSuffix}`, { force: true });
      } catch (error) {
        throw new RoadmapError('storage_error', `Could not delete blob ${JSON.stringify(key)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
    },
  };
}

async function writeAtomically(file: string, data: Uint8Array | string, signal: AbortSignal | undefined) {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, data, signal ? { signal } : {});
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function readContentType(file: string): Promise<string> {
  try {
    const metadata: unknown = JSON.parse(await readFile(`${file}${metadataSuffix}`, 'utf8'));
    const contentType = (metadata as { contentType?: unknown } | null)?.contentType;
    if (typeof contentType === 'string' && contentType !== '') return contentType;
  } catch {
    // Missing or unreadable metadata: guess from the extension below.
  }
  return contentTypesByExtension[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
