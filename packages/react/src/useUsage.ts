import type { RoadmapApiError, UsageResponse } from '@roadmap/core/client';
import { useResource } from './useResource.js';

export interface UseUsageResult {
  /** What the caller's tasks used in the current budget period, and its budget; `undefined` until loaded. */
  usage: UsageResponse | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the usage again. */
  refresh: () => Promise<void>;
}

/**
 * The caller's usage in the current budget period (`GET /usage`): dollars spent and reserved, the budget (`null`: no
 * limit), tokens and calls. Loaded once per provider and shared; `refresh` loads it again.
 *
 * @example
 * const { usage } = useUsage();
 */
export function useUsage(): UseUsageResult {
  const { data, ...rest } = useResource('usage', (client, signal) => client.getUsage({ signal }));
  return { usage: data, ...rest };
}
