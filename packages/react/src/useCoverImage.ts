import { type BatchCover, type Cover, CoverObserver } from '@roadmap/core/client';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseCoverImageOptions {
  /** Fetch the cover when no cover of this roadmap is known yet. Default: `true`. */
  fetch?: boolean;
}

export interface UseCoverImageResult {
  /** The latest known cover (shared with every component under the provider); `undefined` until known. */
  cover: Cover | BatchCover | undefined;
  /** True from a `retry()` until the cover settles or 30 polls passed. */
  isRetrying: boolean;
  /** Starts generation (`POST …/cover-image/generate`), then polls `getCover` every second, at most 30 times. */
  retry: () => Promise<void>;
}

/**
 * One roadmap's cover image, with a manual retry that polls until it settles.
 *
 * @example
 * const { cover, isRetrying, retry } = useCoverImage(roadmapId);
 */
export function useCoverImage(roadmapId: string, { fetch = true }: UseCoverImageOptions = {}): UseCoverImageResult {
  const cache = useRoadmapCache();
  const observer = useMemo(() => new CoverObserver(cache, roadmapId), [cache, roadmapId]);
  const cover = useSyncExternalStore(observer.subscribeCover, observer.getCover, observer.getCover);
  const { isRetrying } = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  useEffect(() => observer.mount(fetch), [observer, fetch]);
  return { cover, isRetrying, retry: observer.retry };
}
