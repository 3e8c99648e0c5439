import {
  type GenerateRoadmapBody,
  type GenerateRoadmapResponse,
  type RoadmapApiError,
  toApiError,
} from '@roadmap/core/client';
import { useCallback, useState } from 'react';
import { useRoadmapClient } from './provider.js';

export interface GenerateOptions {
  /** Repeating a request with the same key returns the first task instead of starting another. */
  idempotencyKey?: string;
}

export interface UseGenerateRoadmapResult {
  /** Starts a roadmap task; rejects with the server's error (also kept in `error`). */
  generate: (body: GenerateRoadmapBody, options?: GenerateOptions) => Promise<GenerateRoadmapResponse>;
  /** True while a request is in flight. */
  isPending: boolean;
  /** The last failure; cleared by the next request. */
  error: RoadmapApiError | null;
}

/**
 * Starts roadmap generation (`POST /roadmaps/generate`).
 *
 * @example
 * const { generate, isPending } = useGenerateRoadmap();
 * const { task_id } = await generate({ preferences: { learning_goal: 'Learn Rust' } });
 */
export function useGenerateRoadmap(): UseGenerateRoadmapResult {
  const client = useRoadmapClient();
  const [isPending, setPending] = useState(false);
  const [error, setError] = useState<RoadmapApiError | null>(null);
  const generate = useCallback(
    async (body: GenerateRoadmapBody, { idempotencyKey }: GenerateOptions = {}) => {
      setPending(true);
      setError(null);
      try {
        return await client.generateRoadmap(body, { idempotencyKey });
      } catch (thrown) {
        const apiError = toApiError(thrown);
        setError(apiError);
        throw apiError;
      } finally {
        setPending(false);
      }
    },
    [client],
  );
  return { generate, isPending, error };
}
