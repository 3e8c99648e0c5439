import { RoadmapApiError } from './clientErrors.js';

/** Any thrown value as a {@link RoadmapApiError} (a `network_error` unless it is one already), so observers and bindings expose one error type. */
export function toApiError(error: unknown): RoadmapApiError {
  if (RoadmapApiError.isInstance(error)) return error;
  return new RoadmapApiError(error instanceof Error ? error.message : String(error), {
    status: 0,
    code: 'network_error',
    cause: error,
  });
}
