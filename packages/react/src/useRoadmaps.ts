import type { RoadmapApiError, RoadmapSummary } from '@roadmap/core/client';
import { useResource } from './useResource.js';

export interface UseRoadmapsResult {
  /** The caller's newest roadmaps (the first page of `GET /roadmaps`, up to 50); `[]` until loaded. */
  roadmaps: RoadmapSummary[];
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the list again. */
  refresh: () => Promise<void>;
}

const noRoadmaps: RoadmapSummary[] = [];

/** The caller's newest roadmaps: the first page of `GET /roadmaps` (50, the server's default page size). */
export function useRoadmaps(): UseRoadmapsResult {
  const { data, ...rest } = useResource(
    'roadmaps',
    async (client, signal) => (await client.listRoadmaps({ signal })).roadmaps,
  );
  return { roadmaps: data ?? noRoadmaps, ...rest };
}
