import type { RateLimitStore } from './rateLimit.js';

/** The three Redis commands the store needs; an `ioredis` or `node-redis` v4+ client fits as it is. */
export interface RedisRateLimitClient {
  incr(key: string): Promise<number>;
  pexpire(key: string, milliseconds: number): Promise<unknown>;
  pttl(key: string): Promise<number>;
}

export interface RedisRateLimitStoreOptions {
  /** Prefix of every key. Default: `'ratelimit:'`. */
  keyPrefix?: string;
  /** Current time in milliseconds. Default: `Date.now`. */
  now?: () => number;
}

/**
 * A {@link RateLimitStore} on Redis, so every API process shares one count per user. A window is one key counted
 * with `INCR`; whenever the key has no expiry yet (first hit, or a process died between the two commands) it gets
 * `PEXPIRE windowMs`, so no key lives forever.
 *
 * @example
 * import Redis from 'ioredis';
 * const rateLimitStore = createRedisRateLimitStore(new Redis(process.env.REDIS_URL));
 */
export function createRedisRateLimitStore(
  redis: RedisRateLimitClient,
  options: RedisRateLimitStoreOptions = {},
): RateLimitStore {
  const keyPrefix = options.keyPrefix ?? 'ratelimit:';
  const now = options.now ?? Date.now;
  return {
    async hit(key, windowMs) {
      const fullKey = `${keyPrefix}${key}`;
      const count = await redis.incr(fullKey);
      let remainingMs = await redis.pttl(fullKey);
      if (remainingMs < 0) {
        await redis.pexpire(fullKey, windowMs);
        remainingMs = windowMs;
      }
      return { count, resetAt: now() + remainingMs };
    },
  };
}
