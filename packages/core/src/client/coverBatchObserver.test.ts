import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoverBatchObserver, coverBatchPollIntervalMs } from './coverBatchObserver.js';
import { createFakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { BatchCover, CoverStatus } from './wireTypes.js';

const cover = (roadmapId: string, status: CoverStatus | 'not_found'): BatchCover =>
  ({ roadmap_id: roadmapId, cover_image_url: null, status, error: null, retry_count: 0 }) as BatchCover;

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CoverBatchObserver', () => {
  it('reads the covers in one batch, generates the missing ones once, and polls until they settle', async () => {
    const server: Record<string, BatchCover> = {
      'r-1': cover('r-1', 'success'),
      'r-2': cover('r-2', 'not_started'),
      'r-3': cover('r-3', 'failed'),
    };
    const api = createFakeApi({
      'POST /cover-images/batch-get': ({ body }) =>
        (body as { roadmap_ids: string[] }).roadmap_ids.map((id) => server[id] ?? cover(id, 'not_found')),
      'POST /cover-images/batch-generate': ({ body }) => {
        const ids = (body as { roadmap_ids: string[] }).roadmap_ids;
        for (const id of ids) server[id] = cover(id, 'generating');
        return { roadmap_ids: ids, message: 'Started' };
      },
    });
    const cache = new RoadmapCache(createRoadmapClient({ baseUrl: 'https://app.example.com', fetch: api.fetch }));
    const observer = new CoverBatchObserver(cache);
    // Mounted twice, as React StrictMode does: still one generation.
    observer.mount(['r-1', 'r-2', 'r-3'], true)();
    const unmount = observer.mount(['r-1', 'r-2', 'r-3'], true);
    await settle();
    expect(api.requests).toEqual(['POST /cover-images/batch-get', 'POST /cover-images/batch-generate']);
    expect(observer.getSnapshot().isLoading).toBe(false);
    expect(observer.getSnapshot().covers['r-2']?.status).toBe('pending');

    await vi.advanceTimersByTimeAsync(coverBatchPollIntervalMs);
    expect(api.requests.at(-1)).toBe('POST /cover-images/batch-get');
    expect(observer.getSnapshot().covers['r-3']?.status).toBe('generating');
    server['r-2'] = cover('r-2', 'success');
    server['r-3'] = cover('r-3', 'success');
    await vi.advanceTimersByTimeAsync(coverBatchPollIntervalMs);
    expect(observer.getSnapshot().covers['r-3']?.status).toBe('success');
    const requests = api.requests.length;
    await vi.advanceTimersByTimeAsync(coverBatchPollIntervalMs * 5);
    expect(api.requests).toHaveLength(requests);
    // Shared with the cache: a single cover's observer finds it without a request.
    expect(cache.covers.get('r-2')?.status).toBe('success');
    unmount();
  });
});
