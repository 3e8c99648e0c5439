import type { RoadmapApiError, RoadmapSummary } from '@roadmap/core/client';
import { useResource } from './useResource.js';

export interface UseRoadmapsResult {
  /** The caller's roadmaps; `[]` until loaded. */
  roadmaps: RoadmapSummary[];
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the list again. */
  refresh: () => Promise<void>;
}

const noRoadmaps: RoadmapSummary[] = [];

/** The caller's roadmaps (`GET /roadmaps`). */
export function useRoadmaps(): UseRoadmapsResult {
  const { data, ...rest } = useResource(
    'roadmaps',
    async (client, signal) => (await client.listRoadmaps({ signal })).roadmaps,
  );
  return { roadmaps: data ?? noRoadmaps, ...rest };
}
