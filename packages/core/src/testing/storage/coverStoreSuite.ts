import { beforeEach, describe, expect, it } from 'vitest';
import type { CoverChange, CoverRecord, ImageAttribution } from '../../domain/coverRecord.js';
import type { CoverStatus } from '../../domain/schemas.js';
import { isoTime } from '../../shared/clock.js';
import type { CoverStore } from '../../storage/coverStore.js';
import { fixtureEpochMs, fixtureUuid } from './fixtures.js';
import { present, type StorageFactory, type StorageHarness, useStorage } from './harness.js';

/**
 * Registers the tests of {@link CoverStore} in the current `describe`, against the harness's storage:
 * insert-if-absent, compare-and-set transitions, the sweeper's due list, copies.
 */
export function describeCoverStore(harness: StorageHarness<CoverStore>): void {
  let storage: CoverStore;
  beforeEach(() => {
    storage = harness.storage;
  });

  describe('covers', () => {
    const coverAt = (seconds: number) => isoTime(fixtureEpochMs + seconds * 1_000);
    const coverInput = (roadmapId: string, overrides: Partial<Pick<CoverRecord, 'user_id' | 'task_id'>> = {}) => ({
      roadmap_id: roadmapId,
      user_id: 'user-1',
      task_id: fixtureUuid(1),
      created_at: coverAt(0),
      ...overrides,
    });
    const attribution: ImageAttribution = {
      author: 'Ada Lovelace',
      authorUrl: 'https://unsplash.com/@ada',
      source: 'Unsplash',
      sourceUrl: 'https://unsplash.com/photos/abc',
    };
    /** A cover of `roadmapId` brought to `status` (one hop from `not_started`), with `patch` applied. */
    const coverIn = async (roadmapId: string, status: CoverStatus, patch: CoverChange['patch'] = {}) => {
      await storage.ensureCover(coverInput(roadmapId));
      const change: CoverChange = { from: ['not_started'], to: status, patch };
      return present(await storage.transitionCover(roadmapId, change), `the ${status} cover`);
    };
    const byRoadmap = (covers: CoverRecord[]) =>
      [...covers].sort((a, b) => (a.roadmap_id < b.roadmap_id ? -1 : a.roadmap_id > b.roadmap_id ? 1 : 0));

    it('ensureCover inserts a not_started cover with retry_count 0 and nulls, and returns it', async () => {
      const input = coverInput('learn-rust-00000001', { user_id: 'user-7', task_id: fixtureUuid(7) });
      const expected: CoverRecord = {
        roadmap_id: 'learn-rust-00000001',
        user_id: 'user-7',
        task_id: fixtureUuid(7),
        cover_image_url: null,
        status: 'not_started',
        error: null,
        retry_count: 0,
        provider: null,
        attribution: null,
        blob_key: null,
        next_attempt_at: null,
        created_at: input.created_at,
        updated_at: input.created_at,
      };
      expect(await storage.ensureCover(input)).toEqual(expected);
      expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
    });

    it('ensureCover returns the existing cover unchanged, whatever the second call gives', async () => {
      const first = await storage.ensureCover(coverInput('learn-rust-00000001'));
      const again = coverInput('learn-rust-00000001', { user_id: 'user-2', task_id: fixtureUuid(2) });
      expect(await storage.ensureCover({ ...again, created_at: coverAt(50) })).toEqual(first);

      const patch = { cover_image_url: 'https://img.example/1.png', provider: 'offline', updated_at: coverAt(5) };
      const done = present(
        await storage.transitionCover('learn-rust-00000001', { from: ['not_started'], to: 'success', patch }),
        'the cover',
      );
      expect(await storage.ensureCover(again)).toEqual(done);
      expect(await storage.getCover('learn-rust-00000001')).toEqual(done);
    });

    it('ensureCover from 20 concurrent calls stores one cover and returns it to every caller', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          storage.ensureCover(coverInput('learn-rust-00000001', { task_id: fixtureUuid(index + 1) })),
        ),
      );
      const stored = present(await storage.getCover('learn-rust-00000001'), 'the cover');
      for (const result of results) expect(result).toEqual(stored);
      expect(await storage.getCovers(['learn-rust-00000001'])).toEqual([stored]);
    });

    it('getCover returns null for an unknown roadmap', async () => {
      await storage.ensureCover(coverInput('learn-rust-00000001'));
      expect(await storage.getCover('no-such-roadmap')).toBeNull();
    });

    it('getCovers returns only the covers that exist, once each', async () => {
      const rust = await storage.ensureCover(coverInput('learn-rust-00000001'));
      const go = await storage.ensureCover(coverInput('learn-go-00000002', { user_id: 'user-2' }));
      await storage.ensureCover(coverInput('learn-zig-00000003'));
      const found = await storage.getCovers([
        'learn-rust-00000001',
        'missing',
        'learn-go-00000002',
        'learn-rust-00000001',
      ]);
      expect(byRoadmap(found)).toEqual(byRoadmap([rust, go]));
      expect(await storage.getCovers(['missing'])).toEqual([]);
      expect(await storage.getCovers([])).toEqual([]);
    });

    describe('transitionCover (compare-and-set)', () => {
      it('changes the status and applies every field of the patch when the current status is listed', async () => {
        const created = await storage.ensureCover(coverInput('learn-rust-00000001'));
        const patch = {
          cover_image_url: 'https://img.example/rust.jpg',
          error: 'an earlier error',
          retry_count: 2,
          provider: 'unsplash',
          attribution,
          blob_key: 'covers/learn-rust-00000001.jpg',
          next_attempt_at: fixtureEpochMs + 90_000,
          updated_at: coverAt(9),
        };
        const changed = await storage.transitionCover('learn-rust-00000001', {
          from: ['pending', 'not_started'],
          to: 'success',
          patch,
        });
        const expected: CoverRecord = { ...created, ...structuredClone(patch), status: 'success' };
        expect(changed).toEqual(expected);
        expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
      });

      it('keeps the fields the patch leaves out, and clears those it sets to null', async () => {
        await coverIn('learn-rust-00000001', 'failed', {
          error: 'boom',
          retry_count: 1,
          provider: 'unsplash',
          attribution,
          blob_key: 'covers/a.jpg',
          next_attempt_at: fixtureEpochMs + 5_000,
          updated_at: coverAt(3),
        });
        const before = present(await storage.getCover('learn-rust-00000001'), 'the cover');
        const retried = await storage.transitionCover('learn-rust-00000001', { from: ['failed'], to: 'pending' });
        expect(retried).toEqual({ ...before, status: 'pending' });

        const cleared = await storage.transitionCover('learn-rust-00000001', {
          from: ['pending'],
          to: 'generating',
          patch: { error: null, attribution: null, next_attempt_at: null, blob_key: null, updated_at: coverAt(4) },
        });
        const expected: CoverRecord = {
          ...before,
          status: 'generating',
          error: null,
          attribution: null,
          next_attempt_at: null,
          blob_key: null,
          updated_at: coverAt(4),
        };
        expect(cleared).toEqual(expected);
        expect(await storage.getCover('learn-rust-00000001')).toEqual(expected);
      });

      it('returns null and changes nothing when the current status is not listed', async () => {
        const created = await storage.ensureCover(coverInput('learn-rust-00000001'));
        const patch = { error: 'should not be written', retry_count: 3, updated_at: coverAt(8) };
        expect(
          await storage.transitionCover('learn-rust-00000001', { from: ['pending', 'failed'], to: 'success', patch }),
        ).toBeNull();
        expect(await storage.transitionCover('learn-rust-00000001', { from: [], to: 'pending', patch })).toBeNull();
        expect(await storage.getCover('learn-rust-00000001')).toEqual(created);
      });

      it('returns null for an unknown roadmap and creates nothing', async () => {
        const change: CoverChange = { from: ['not_started'], to: 'pending' };
        expect(await storage.transitionCover('no-such-roadmap', change)).toBeNull();
        expect(await storage.getCover('no-such-roadmap')).toBeNull();
      });

      it('lets exactly one of 20 concurrent transitions from not_started to pending win', async () => {
        await storage.ensureCover(coverInput('learn-rust-00000001'));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            storage.transitionCover('learn-rust-00000001', {
              from: ['not_started'],
              to: 'pending',
              patch: { retry_count: index + 1, updated_at: coverAt(index + 1) },
            }),
          ),
        );
        const winners = results.filter((result) => result !== null);
        expect(winners).toHaveLength(1);
        expect(await storage.getCover('learn-rust-00000001')).toEqual(winners[0]);
        expect(winners[0]?.status).toBe('pending');
      });
    });

    describe('listDueCovers', () => {
      const now = fixtureEpochMs + 600_000;
      const staleBefore = coverAt(100);

      it('lists failed covers due by now and stale pending or generating ones, oldest first', async () => {
        // updated_at seconds make the expected order: 10, 20, 30, 40.
        const staleGenerating = await coverIn('cover-a', 'generating', { updated_at: coverAt(30) });
        const failedDue = await coverIn('cover-b', 'failed', { next_attempt_at: now - 1, updated_at: coverAt(40) });
        const failedDueNow = await coverIn('cover-c', 'failed', { next_attempt_at: now, updated_at: coverAt(10) });
        const stalePending = await coverIn('cover-d', 'pending', { updated_at: coverAt(20) });
        // Never due:
        await coverIn('cover-e', 'failed', { next_attempt_at: now + 1, updated_at: coverAt(1) });
        await coverIn('cover-f', 'failed', { next_attempt_at: null, updated_at: coverAt(2) });
        await coverIn('cover-g', 'pending', { updated_at: staleBefore });
        await coverIn('cover-h', 'generating', { updated_at: coverAt(150) });
        await coverIn('cover-i', 'success', { next_attempt_at: now - 10, updated_at: coverAt(3) });
        await storage.ensureCover(coverInput('cover-j'));

        const due = await storage.listDueCovers({ now, staleBefore, limit: 100 });
        expect(due).toEqual([failedDueNow, stalePending, staleGenerating, failedDue]);
        expect(await storage.listDueCovers({ now, staleBefore, limit: 2 })).toEqual([failedDueNow, stalePending]);
        expect(await storage.listDueCovers({ now: fixtureEpochMs, staleBefore: coverAt(0), limit: 100 })).toEqual([]);
      });

      it('never lists success or not_started covers, however old', async () => {
        await coverIn('cover-a', 'success', { next_attempt_at: fixtureEpochMs, updated_at: coverAt(1) });
        await storage.ensureCover(coverInput('cover-b'));
        expect(await storage.listDueCovers({ now, staleBefore, limit: 100 })).toEqual([]);
      });
    });

    it('returned covers are copies: mutating inputs or results never changes what is stored', async () => {
      const input = coverInput('learn-rust-00000001');
      const created = await storage.ensureCover(input);
      input.user_id = 'mutated input';
      created.status = 'success';
      const patch = { attribution: { ...attribution }, updated_at: coverAt(5) };
      const pending = present(
        await storage.transitionCover('learn-rust-00000001', { from: ['not_started'], to: 'pending', patch }),
        'the cover',
      );
      const stored = structuredClone(pending);
      patch.attribution.author = 'mutated patch';
      pending.retry_count = 9;
      if (pending.attribution) pending.attribution.author = 'mutated result';
      const read = present(await storage.getCover('learn-rust-00000001'), 'the cover');
      if (read.attribution) read.attribution.source = 'mutated read';
      const [listed] = await storage.getCovers(['learn-rust-00000001']);
      if (listed?.attribution) listed.attribution.sourceUrl = 'mutated list';
      const [due] = await storage.listDueCovers({ now: fixtureEpochMs, staleBefore: coverAt(100), limit: 10 });
      expect(due).toEqual(stored);
      if (due?.attribution) due.attribution.authorUrl = 'mutated due';
      expect(await storage.getCover('learn-rust-00000001')).toEqual(stored);
      expect(stored.attribution).toEqual(attribution);
    });
  });
}

/**
 * Registers vitest tests that check every documented contract of {@link CoverStore}. It needs no other part.
 * `runStorageConformance` runs them with the other parts.
 *
 * @example
 * runCoverStoreConformance('my storage', () => ({ storage: createMyStorage() }));
 */
export function runCoverStoreConformance(name: string, createStorage: StorageFactory<CoverStore>): void {
  describe(`${name}: CoverStore conformance`, () => {
    describeCoverStore(useStorage(createStorage));
  });
}
