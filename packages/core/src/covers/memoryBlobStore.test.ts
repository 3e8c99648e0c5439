import { describe, expect, it } from 'vitest';
import { RoadmapError } from '../shared/errors.js';
import { runBlobStoreConformance } from '../testing/blobStoreConformance.js';
import { assertValidBlobKey } from './blobKey.js';
import { createMemoryBlobStore } from './memoryBlobStore.js';

runBlobStoreConformance('createMemoryBlobStore', () => ({ blobStore: createMemoryBlobStore() }));

describe('createMemoryBlobStore', () => {
  it('answers with URLs under the default base URL, the key percent-encoded', async () => {
    const store = createMemoryBlobStore();
    const { url } = await store.put('covers/roadmap-1.png', Uint8Array.from([1]), { contentType: 'image/png' });
    expect(url).toBe('/api/v1/cover-images/covers%2Froadmap-1.png');
  });

  it('uses the given base URL, without doubling its trailing slash', async () => {
    const store = createMemoryBlobStore({ baseUrl: 'https://cdn.example.com/covers/' });
    const { url } = await store.put('roadmap-1.png', Uint8Array.from([1]), { contentType: 'image/png' });
    expect(url).toBe('https://cdn.example.com/covers/roadmap-1.png');
  });
});

describe('assertValidBlobKey', () => {
  it('accepts relative keys of safe characters', () => {
    for (const key of ['a.png', 'covers/2024/roadmap_1-final.png', '.hidden', 'a..b.png']) {
      expect(() => assertValidBlobKey(key)).not.toThrow();
    }
  });

  it('explains what is wrong', () => {
    const error = (() => {
      try {
        assertValidBlobKey('../etc/passwd');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(RoadmapError.isInstance(error) && error.message).toMatch(/Invalid blob key "\.\.\/etc\/passwd": .*"\.\."/);
    expect(() => assertValidBlobKey('x'.repeat(513))).toThrow(/at most 512/);
  });
});
