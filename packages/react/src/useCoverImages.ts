import { type BatchCover, CoverBatchObserver, type RoadmapApiError } from '@roadmap/core/client';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseCoverImagesOptions {
  /** On first load, start generation of covers that are `not_started` or `failed`, once. Default: `true`. */
  autoGenerate?: boolean;
}

export interface UseCoverImagesResult {
  /** Covers by roadmap id (unknown ids come back `not_found`). */
  covers: Record<string, BatchCover>;
  /** True until the first batch read answered. */
  isLoading: boolean;
  error: RoadmapApiError | null;
}

/**
 * The covers of many roadmaps in one request; on first load it triggers one batch generation of the missing ones
 * (StrictMode-safe), then follows them until they settle.
 *
 * @example
 * const { covers } = useCoverImages(roadmaps.map((roadmap) => roadmap.roadmap_id));
 */
export function useCoverImages(
  roadmapIds: readonly string[],
  { autoGenerate = true }: UseCoverImagesOptions = {},
): UseCoverImagesResult {
  const cache = useRoadmapCache();
  const observer = useMemo(() => new CoverBatchObserver(cache), [cache]);
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  const key = roadmapIds.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the ids' content.
  useEffect(() => observer.mount(roadmapIds, autoGenerate), [observer, key, autoGenerate]);
  return state;
}
