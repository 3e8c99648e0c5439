import type { ConceptDetail, RoadmapApiError } from '@roadmap/core/client';
import { useRoadmapClient } from './provider.js';
import { useResource } from './useResource.js';

export interface UseConceptResult {
  /** The concept and its tutorial, resources and quiz (each `null` until generated). */
  concept: ConceptDetail | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the concept again. */
  refresh: () => Promise<void>;
}

/** One concept with its content (`GET /roadmaps/{roadmap_id}/concepts/{concept_id}`). */
export function useConcept(roadmapId: string, conceptId: string): UseConceptResult {
  const client = useRoadmapClient();
  const { data, ...rest } = useResource(JSON.stringify([roadmapId, conceptId]), (signal) =>
    client.getConcept(roadmapId, conceptId, { signal }),
  );
  return { concept: data, ...rest };
}
