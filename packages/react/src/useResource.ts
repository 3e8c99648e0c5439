import type { RoadmapApiError } from '@roadmap/core/client';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ResourceObserver } from './resourceObserver.js';

export interface ResourceResult<Data> {
  data: Data | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
  refresh: () => Promise<void>;
}

/** @internal Creates a {@link ResourceObserver} once, reloads when `key` changes, reads it through `useSyncExternalStore`. */
export function useResource<Data>(
  key: string | undefined,
  load: (signal: AbortSignal) => Promise<Data>,
): ResourceResult<Data> {
  const [observer] = useState(() => new ResourceObserver<Data>());
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names everything `load` reads.
  useEffect(() => {
    if (key === undefined) return;
    observer.start(load);
    return () => observer.stop();
  }, [key, observer]);
  return { ...state, isLoading: key !== undefined && state.isLoading, refresh: observer.refresh };
}
