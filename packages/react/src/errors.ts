import { RoadmapApiError } from '@roadmap/core/client';

/** Any thrown value as a {@link RoadmapApiError}, so hooks expose one error type. */
export function toApiError(error: unknown): RoadmapApiError {
  if (RoadmapApiError.isInstance(error)) return error;
  return new RoadmapApiError(error instanceof Error ? error.message : String(error), {
    status: 0,
    code: 'network_error',
    cause: error,
  });
}

/** True for the rejection of a request this package aborted itself (unmount, newer request). */
export function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
