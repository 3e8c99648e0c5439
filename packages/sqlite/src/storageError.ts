import { RoadmapError } from '@roadmap/core';

/** SQLite result codes that mean "another connection holds the lock": trying again later may succeed. */
const busyCodes = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

/**
 * Turns an error thrown by better-sqlite3 into a `RoadmapError` with code `storage_error` (the original as
 * `cause`; retryable when the database was busy). A `RoadmapError` passes through unchanged.
 */
export function toStorageError(operation: string, error: unknown): RoadmapError {
  if (RoadmapError.isInstance(error)) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new RoadmapError('storage_error', `SQLite ${operation} failed: ${message}`, {
    cause: error,
    retryable: typeof code === 'string' && busyCodes.has(code),
  });
}

/** Runs `work`, turning what SQLite throws into a `storage_error` naming `operation`. */
export function guard<Result>(operation: string, work: () => Result): Result {
  try {
    return work();
  } catch (error) {
    throw toStorageError(operation, error);
  }
}
