import type { ResourceLoader, ResourceState, RoadmapApiError } from '@roadmap/core/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface ResourceResult<Data> {
  data: Data | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
  refresh: () => Promise<void>;
}

const idle: ResourceState<never> = { data: undefined, isLoading: false, error: null };
const idleResource = {
  subscribe: () => () => {},
  getSnapshot: () => idle,
  refresh: async () => {},
};

/**
 * @internal Gets the cache's observer of the resource `key` names (shared by every hook asking for the same key) and
 * reads it through `useSyncExternalStore`. `key` `undefined`: nothing to load yet.
 */
export function useResource<Data>(key: string | undefined, load: ResourceLoader<Data>): ResourceResult<Data> {
  const cache = useRoadmapCache();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names everything `load` reads.
  const observer = useMemo(() => (key === undefined ? idleResource : cache.resource(key, load)), [cache, key]);
  const state: ResourceState<Data> = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getSnapshot,
  );
  return { ...state, refresh: observer.refresh };
}
