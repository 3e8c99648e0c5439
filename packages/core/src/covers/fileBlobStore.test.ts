import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoadmapError } from '../shared/errors.js';
import { runBlobStoreConformance } from '../testing/blobStoreConformance.js';
import { createFileBlobStore } from './fileBlobStore.js';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'roadmap-blobs-'));
}

runBlobStoreConformance('createFileBlobStore', async () => {
  const directory = await temporaryDirectory();
  return {
    blobStore: createFileBlobStore({ directory: path.join(directory, 'covers') }),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('createFileBlobStore', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await temporaryDirectory();
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes the bytes to <directory>/<key> with the content type beside them, and no temporary files left', async () => {
    const store = createFileBlobStore({ directory });
    const { url } = await store.put('covers/roadmap-1.png', Uint8Array.from([1, 2, 3]), { contentType: 'image/png' });
    expect(url).toBe('/api/v1/cover-images/covers%2Froadmap-1.png');
    expect([...(await readFile(path.join(directory, 'covers', 'roadmap-1.png')))]).toEqual([1, 2, 3]);
    expect(await readdir(path.join(directory, 'covers'))).toEqual(['roadmap-1.png', 'roadmap-1.png.meta.json']);
  });

  it('reads blobs written by another instance on the same directory', async () => {
    await createFileBlobStore({ directory }).put('a.webp', Uint8Array.from([7]), { contentType: 'image/webp' });
    const blob = await createFileBlobStore({ directory, baseUrl: 'https://cdn.example.com/' }).get('a.webp');
    expect(blob?.contentType).toBe('image/webp');
  });

  it('guesses the content type from the extension when the metadata file is missing', async () => {
    await writeFile(path.join(directory, 'manual.jpg'), Uint8Array.from([1]));
    await writeFile(path.join(directory, 'manual.dat'), Uint8Array.from([1]));
    const store = createFileBlobStore({ directory });
    expect((await store.get('manual.jpg'))?.contentType).toBe('image/jpeg');
    expect((await store.get('manual.dat'))?.contentType).toBe('application/octet-stream');
  });

  it('uses the given base URL', async () => {
    const store = createFileBlobStore({ directory, baseUrl: 'https://cdn.example.com/covers/' });
    const { url } = await store.put('x.png', Uint8Array.from([1]), { contentType: 'image/png' });
    expect(url).toBe('https://cdn.example.com/covers/x.png');
  });

  it('refuses keys that would collide with metadata files', async () => {
    const store = createFileBlobStore({ directory });
    const error = await store.get('x.png.meta.json').catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error) && error.code).toBe('invalid_input');
  });

  it('answers null when the key names a directory', async () => {
    const store = createFileBlobStore({ directory });
    await store.put('covers/a.png', Uint8Array.from([1]), { contentType: 'image/png' });
    expect(await store.get('covers')).toBeNull();
  });

  it('reports a storage_error when the directory cannot be written', async () => {
    const file = path.join(directory, 'not-a-directory');
    await writeFile(file, 'x');
    const store = createFileBlobStore({ directory: file });
    const error = await store
      .put('a.png', Uint8Array.from([1]), { contentType: 'image/png' })
      .catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error) && error.code).toBe('storage_error');
  });

  it('needs a directory', () => {
    expect(() => createFileBlobStore({ directory: '' })).toThrow(/directory/);
  });
});
