import type { ConceptDetail, RoadmapApiError } from '@roadmap/core/client';
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
  const { data, ...rest } = useResource(JSON.stringify(['concept', roadmapId, conceptId]), (client, signal) =>
    client.getConcept(roadmapId, conceptId, { signal }),
  );
  return { concept: data, ...rest };
}
