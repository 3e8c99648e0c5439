import type { Roadmap, RoadmapApiError } from '@roadmap/core/client';
import { useResource } from './useResource.js';

export interface UseRoadmapResult {
  /** Stages → modules → concepts with content statuses; `undefined` until loaded. */
  roadmap: Roadmap | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the roadmap again. */
  refresh: () => Promise<void>;
}

/** One roadmap (`GET /roadmaps/{roadmap_id}`). Pass `undefined` to load nothing yet. */
export function useRoadmap(roadmapId: string | undefined): UseRoadmapResult {
  const { data, ...rest } = useResource(roadmapId && `roadmap ${roadmapId}`, (client, signal) =>
    client.getRoadmap(roadmapId ?? '', { signal }),
  );
  return { roadmap: data, ...rest };
}
