import type { Storage } from '@roadmap/core';
import { fixtureEpochMs, fixtureUuid, makeRoadmap, makeTaskRecord } from '@roadmap/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, hosts, otherUser, owner, type TestApp } from './routerTestSupport.js';

/** Stores a roadmap of `userId` (with its task) created `seconds` after the fixture epoch. */
async function seedRoadmap(storage: Storage, userId: string, number: number, seconds: number): Promise<string> {
  const createdAt = new Date(fixtureEpochMs + seconds * 1_000).toISOString();
  const roadmapId = `listing-${number.toString().padStart(4, '0')}`;
  const task = makeTaskRecord({ task_id: fixtureUuid(500_000 + number), user_id: userId, roadmap_id: roadmapId });
  await storage.createTask(task);
  const now = fixtureEpochMs;
  await storage.acquireLease(task.task_id, { token: 'seed', now, expiresAt: now + 60_000, updatedAt: createdAt });
  const roadmap = makeRoadmap({ roadmap_id: roadmapId, user_id: userId, created_at: createdAt, title: roadmapId });
  await storage.saveRoadmap({ taskId: task.task_id, leaseToken: 'seed' }, roadmap);
  return roadmapId;
}

describe.each(hosts)('on the %s host', (host) => {
  describe('GET /roadmaps keyset paging', () => {
    let app: TestApp;
    /** The owner's roadmap ids, newest first. */
    let newestFirst: string[];
    beforeAll(async () => {
      app = await createTestApp({ host, worker: false });
      const seconds = [10, 20, 20, 20, 30, 40, 40];
      const ids: { id: string; seconds: number }[] = [];
      for (const [index, second] of seconds.entries()) {
        ids.push({ id: await seedRoadmap(app.storage, owner, index, second), seconds: second });
      }
      await seedRoadmap(app.storage, otherUser, 99, 35);
      newestFirst = ids.sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? 1 : -1)).map((entry) => entry.id);
    });
    afterAll(() => app.close());

    const list = (query: string, userId = owner) =>
      app.http.get(`/api/v1/roadmaps${query}`).set('Authorization', bearer(userId));

    it('walks every page newest first with next_cursor, ties on created_at included, null on the last', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const response = await list(query).expect(200);
        expect(Object.keys(response.body).sort()).toEqual(['next_cursor', 'roadmaps']);
        sizes.push(response.body.roadmaps.length);
        seen.push(...response.body.roadmaps.map((summary: { roadmap_id: string }) => summary.roadmap_id));
        cursor = response.body.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual(newestFirst);
      expect(sizes).toEqual([3, 3, 1]);

      // A cursor is only a position: with the owner's cursor another user still sees only their own roadmaps.
      const ids = (body: { roadmaps: { roadmap_id: string }[] }) => body.roadmaps.map((entry) => entry.roadmap_id);
      const first = await list('?limit=2').expect(200);
      const foreign = await list(`?cursor=${first.body.next_cursor}`, otherUser).expect(200);
      expect(ids(foreign.body)).toEqual(['listing-0099']);
    });

    it('answers a full page with next_cursor null when nothing follows, and defaults limit to 50', async () => {
      const exact = await list(`?limit=${newestFirst.length}`).expect(200);
      expect(exact.body.next_cursor).toBeNull();
      const all = await list('').expect(200);
      expect(all.body.roadmaps.map((summary: { roadmap_id: string }) => summary.roadmap_id)).toEqual(newestFirst);
      expect(all.body.next_cursor).toBeNull();
      expect(all.body.roadmaps[0]).toEqual({
        roadmap_id: newestFirst[0],
        title: newestFirst[0],
        total_concepts: 4,
        completed_concepts: 0,
        task_id: expect.any(String),
        task_status: 'processing',
        created_at: new Date(fixtureEpochMs + 40_000).toISOString(),
      });
    });

    it('answers 400 invalid_input for a bad limit or cursor, never a 500; 401 without a token', async () => {
      const cursors = ['not base64!', 'AAAA', Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(600)];
      for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?limit=2.5', '?cursor=', '?cursor=a&cursor=b']) {
        const response = await list(query).expect(400);
        expect(response.body.code).toBe('invalid_input');
      }
      for (const cursor of cursors) {
        const response = await list(`?cursor=${encodeURIComponent(cursor)}`).expect(400);
        expect(response.body.code).toBe('invalid_input');
      }
      expect(app.serverErrors).toEqual([]);
      await app.http.get('/api/v1/roadmaps?limit=5').expect(401);
    });
  });
});
