import type { ConceptDetail, PartialTutorial, RoadmapApiError } from '@roadmap/core/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseConceptResult {
  /** The concept and its tutorial, resources and quiz (each `null` until generated). */
  concept: ConceptDetail | undefined;
  /**
   * The tutorial's text while it streams in (`generating`, growing with each `content_delta`), or kept from a
   * generation that stopped (`failed`: incomplete); `null` once the tutorial is complete or when nothing streamed.
   */
  streamingTutorial: PartialTutorial | null;
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the concept again. */
  refresh: () => Promise<void>;
}

/**
 * One concept with its content (`GET /roadmaps/{roadmap_id}/concepts/{concept_id}`), live: its tutorial's text grows
 * as it streams in (SPEC §7), from the user's event stream the cache shares, and the concept is read again when one
 * of its items completes.
 */
export function useConcept(roadmapId: string, conceptId: string): UseConceptResult {
  const cache = useRoadmapCache();
  const observer = useMemo(() => cache.concept(roadmapId, conceptId), [cache, roadmapId, conceptId]);
  const { data, ...state } = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  return { concept: data, ...state, refresh: observer.refresh };
}
