import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../covers/blobStore.js';
import { isAbortError, RoadmapError } from '../shared/errors.js';

export interface BlobStoreFixture {
  /** The store under test, empty. */
  blobStore: BlobStore;
  /** Runs after each test: remove the directory, empty the bucket. */
  cleanup?: () => Promise<void> | void;
}

/** Called before every test; must return an empty store. */
export type BlobStoreFactory = () => BlobStoreFixture | Promise<BlobStoreFixture>;

const invalidKeys = [
  '',
  '/absolute.png',
  '../escape.png',
  'a/../../b.png',
  'a//b.png',
  'dir/',
  'space key.png',
  'é.png',
  'a\\b.png',
  'a/./b',
];

/**
 * Registers vitest tests that check the documented contract of {@link BlobStore}: bytes and content type round-trip,
 * overwrite, stable URLs, idempotent delete, key validation. Call it at the top level of an adapter's test file.
 */
export function runBlobStoreConformance(name: string, factory: BlobStoreFactory): void {
  describe(`${name} (BlobStore conformance)`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.blobStore;
    });

    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('declares specification version v1', () => {
      expect(store.specificationVersion).toBe('v1');
    });

    it('returns what was put: the same bytes and content type', async () => {
      const data = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      await store.put('covers/roadmap-1.png', data, { contentType: 'image/png' });
      const blob = await store.get('covers/roadmap-1.png');
      expect(blob?.contentType).toBe('image/png');
      expect([...(blob?.data ?? [])]).toEqual([...data]);
    });

    it('answers null for a key never put', async () => {
      expect(await store.get('missing.png')).toBeNull();
    });

    it('replaces the bytes on a second put and keeps the URL stable', async () => {
      const first = await store.put('roadmap-2.png', Uint8Array.from([1]), { contentType: 'image/png' });
      const second = await store.put('roadmap-2.png', Uint8Array.from([2, 3]), { contentType: 'image/jpeg' });
      expect(second.url).toBe(first.url);
      const blob = await store.get('roadmap-2.png');
      expect(blob?.contentType).toBe('image/jpeg');
      expect([...(blob?.data ?? [])]).toEqual([2, 3]);
    });

    it('gives different keys different URLs', async () => {
      const first = await store.put('a.png', Uint8Array.from([1]), { contentType: 'image/png' });
      const second = await store.put('b.png', Uint8Array.from([1]), { contentType: 'image/png' });
      expect(first.url).not.toBe(second.url);
    });

    it('keeps stored bytes apart from the caller’s array', async () => {
      const data = Uint8Array.from([1, 2, 3]);
      await store.put('copy.png', data, { contentType: 'image/png' });
      data[0] = 9;
      const blob = await store.get('copy.png');
      expect(blob?.data[0]).toBe(1);
    });

    it('deletes, and deleting again (or a key never put) is fine', async () => {
      await store.put('gone.png', Uint8Array.from([1]), { contentType: 'image/png' });
      await store.delete('gone.png');
      expect(await store.get('gone.png')).toBeNull();
      await expect(store.delete('gone.png')).resolves.toBeUndefined();
      await expect(store.delete('never.png')).resolves.toBeUndefined();
    });

    it('deletes only the key asked for (SPEC §9: erasing one user keeps every other image), idempotently, nested keys too', async () => {
      const png = { contentType: 'image/png' };
      await store.put('covers/learn-go-00000001/a.png', Uint8Array.from([1]), png);
      await store.put('covers/learn-go-00000001/b.png', Uint8Array.from([2]), png);
      await store.put('covers/learn-go-00000002.png', Uint8Array.from([3]), png);
      await store.delete('covers/learn-go-00000001/a.png');
      await store.delete('covers/learn-go-00000001/a.png');
      expect(await store.get('covers/learn-go-00000001/a.png')).toBeNull();
      if (store.has) expect(await store.has('covers/learn-go-00000001/a.png')).toBe(false);
      expect((await store.get('covers/learn-go-00000001/b.png'))?.data).toEqual(Uint8Array.from([2]));
      expect((await store.get('covers/learn-go-00000002.png'))?.data).toEqual(Uint8Array.from([3]));
      if (store.has) expect(await store.has('covers/learn-go-00000001/b.png')).toBe(true);
      // A key deleted can be stored again.
      await store.put('covers/learn-go-00000001/a.png', Uint8Array.from([4]), png);
      expect((await store.get('covers/learn-go-00000001/a.png'))?.data).toEqual(Uint8Array.from([4]));
    });

    it('has (when offered) says whether a key is stored, without reading it', async () => {
      if (store.has === undefined) return;
      expect(await store.has('covers/present.png')).toBe(false);
      await store.put('covers/present.png', Uint8Array.from([1, 2, 3]), { contentType: 'image/png' });
      expect(await store.has('covers/present.png')).toBe(true);
      expect(await store.has('covers/other.png')).toBe(false);
      await store.delete('covers/present.png');
      expect(await store.has('covers/present.png')).toBe(false);
      await expect(store.has('../escape.png')).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('stores an empty blob', async () => {
      await store.put('empty.bin', new Uint8Array(0), { contentType: 'application/octet-stream' });
      const blob = await store.get('empty.bin');
      expect(blob?.data.length).toBe(0);
      expect(blob?.contentType).toBe('application/octet-stream');
    });

    it.each(invalidKeys)('rejects the key %j with invalid_input on put, get and delete', async (key) => {
      for (const operation of [
        () => store.put(key, Uint8Array.from([1]), { contentType: 'image/png' }),
        () => store.get(key),
        () => store.delete(key),
      ]) {
        const error = await operation().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(RoadmapError.isInstance(error) && error.code).toBe('invalid_input');
      }
    });

    it('does not store when the put is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await store
        .put('aborted.png', Uint8Array.from([1]), { contentType: 'image/png', abortSignal: controller.signal })
        .catch((caught: unknown) => caught);
      expect(isAbortError(error)).toBe(true);
      expect(await store.get('aborted.png')).toBeNull();
    });
  });
}
