import { HttpError } from '../errors/httpError.js';

/** Counts hits per key in fixed windows. Implement it on Redis (see `createRedisRateLimitStore`) to share limits. */
export interface RateLimitStore {
  /**
   * Counts one hit for `key` in its current window (a new window of `windowMs` starts at the first hit after the
   * previous one ended) and answers the count so far and when the window ends (ms since epoch).
   */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
}

/** A limit of `limit` requests per user per `windowMs`. */
export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Length of the window in milliseconds. */
  windowMs: number;
}

/** The router's per-user rate-limit buckets; each counts one hit per request of its routes. */
export interface RouterRateLimits {
  /** `POST /roadmaps/generate`. Default: 10 a minute. */
  generate: RateLimit;
  /**
   * Cover generation, single (`POST /roadmap/{id}/cover-image/generate`) and batch
   * (`POST /cover-images/batch-generate`) together. Default: 30 a minute.
   */
  coverGeneration: RateLimit;
  /** `POST /roadmaps/tasks/{task_id}/cancel`. Default: 60 a minute. */
  cancel: RateLimit;
  /** `POST /roadmaps/tasks/{task_id}/retry`. Default: 30 a minute. */
  retry: RateLimit;
  /** `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/retry`. Default: 60 a minute. */
  itemRetry: RateLimit;
  /** `PUT /roadmap/{roadmap_id}/cover-image`, counted before the body is read. Default: 20 a minute. */
  coverUpload: RateLimit;
}

/**
 * Default limits per user and minute: generous for a person clicking (or a UI retrying with backoff), small enough
 * that one account cannot flood the queue, the model or the blob store.
 */
export const defaultRateLimits: Readonly<RouterRateLimits> = Object.freeze({
  generate: { limit: 10, windowMs: 60_000 },
  coverGeneration: { limit: 30, windowMs: 60_000 },
  cancel: { limit: 60, windowMs: 60_000 },
  retry: { limit: 30, windowMs: 60_000 },
  itemRetry: { limit: 60, windowMs: 60_000 },
  coverUpload: { limit: 20, windowMs: 60_000 },
});

/**
 * Default per-user limit of WebSocket upgrades (both endpoints together): 60 a minute, well above a page that opens
 * a list and a task stream and reconnects with backoff, far below a reconnect loop.
 */
export const defaultUpgradeRateLimit: RateLimit = Object.freeze({ limit: 60, windowMs: 60_000 });

export interface MemoryRateLimitStoreOptions {
  /** Current time in milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** Keys kept before expired windows are swept out. Default: 10 000. */
  sweepThreshold?: number;
}

/**
 * A {@link RateLimitStore} in this process's memory: limits are per process (with several API processes, each
 * allows `limit`). Expired windows are swept when the map grows past `sweepThreshold`.
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  const sweepThreshold = options.sweepThreshold ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, windowMs) {
      const at = now();
      if (windows.size >= sweepThreshold) {
        for (const [entryKey, entry] of windows) if (entry.resetAt <= at) windows.delete(entryKey);
      }
      let entry = windows.get(key);
      if (entry === undefined || entry.resetAt <= at) {
        entry = { count: 0, resetAt: at + windowMs };
        windows.set(key, entry);
      }
      entry.count += 1;
      return { count: entry.count, resetAt: entry.resetAt };
    },
  };
}

/**
 * Counts a hit for `userId` in `bucket` and answers `null` within the limit, else the whole seconds until the window
 * ends (at least 1), for `Retry-After`.
 */
export async function checkRateLimit(
  store: RateLimitStore,
  bucket: string,
  userId: string,
  rateLimit: RateLimit,
  now: () => number,
): Promise<number | null> {
  const { count, resetAt } = await store.hit(`roadmap:${bucket}:${userId}`, rateLimit.windowMs);
  if (count <= rateLimit.limit) return null;
  return Math.max(1, Math.ceil((resetAt - now()) / 1000));
}

/**
 * Counts a hit for `userId` in `bucket` and throws a 429 `rate_limited` {@link HttpError} with `Retry-After`
 * (whole seconds until the window ends, at least 1) once the limit is exceeded.
 */
export async function enforceRateLimit(
  store: RateLimitStore,
  bucket: string,
  userId: string,
  rateLimit: RateLimit,
  now: () => number,
): Promise<void> {
  const retryAfterSeconds = await checkRateLimit(store, bucket, userId, rateLimit, now);
  if (retryAfterSeconds === null) return;
  throw new HttpError(
    429,
    { detail: `Too many requests: try again in ${retryAfterSeconds} s.`, code: 'rate_limited' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
