import type { GenerateRoadmapBody } from '@roadmap/core/client';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { EstimateObserver, type EstimateState } from './estimateObserver.js';
import { useRoadmapClient } from './provider.js';

export type UseEstimateResult = EstimateState;

/**
 * What a generation with `body` is expected to cost (`POST /roadmaps/estimate`, no model call): asked 300 ms after
 * `body` last changed (compared by value), the earlier question aborted. Pass `undefined` while the inputs are invalid:
 * nothing is asked and `estimate` is cleared. `estimate.estimated_cost_usd` is `null` when the server's model has no
 * price.
 *
 * @example
 * const { estimate } = useEstimate(parsed.success ? parsed.data : undefined);
 * estimate && `about ${estimate.estimated_calls} model calls`;
 */
export function useEstimate(body: GenerateRoadmapBody | undefined): UseEstimateResult {
  const client = useRoadmapClient();
  const observer = useMemo(() => new EstimateObserver(client), [client]);
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  const key = body === undefined ? undefined : JSON.stringify(body);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is `body` by value; a new object alike asks nothing.
  useEffect(() => {
    observer.change(body);
    return () => observer.stop();
  }, [observer, key]);
  return state;
}
