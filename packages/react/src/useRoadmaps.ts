import type { RoadmapApiError, RoadmapSummary } from '@roadmap/core/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseRoadmapsResult {
  /** The caller's newest roadmaps (the first page of `GET /roadmaps`, up to 50); `[]` until loaded. */
  roadmaps: RoadmapSummary[];
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the list again. */
  refresh: () => Promise<void>;
}

/**
 * The caller's newest roadmaps: the first page of `GET /roadmaps` (50, the server's default page size), live over the
 * user's event stream the task list shares — a new roadmap appears, progress and task status follow, and covers
 * change without a reload (`RoadmapListObserver` of `@roadmap/core/client`).
 */
export function useRoadmaps(): UseRoadmapsResult {
  const cache = useRoadmapCache();
  const observer = useMemo(() => cache.roadmapList(), [cache]);
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  return { roadmaps: state.roadmaps, isLoading: state.isLoading, error: state.error, refresh: observer.refresh };
}
