import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from './rateLimit.js';
import { createRedisRateLimitStore, type RedisRateLimitClient } from './redisRateLimitStore.js';

describe('createMemoryRateLimitStore', () => {
  it('counts hits per key in fixed windows and starts a new window after the old one ends', async () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ now: () => now });
    expect(await store.hit('a', 1000)).toEqual({ count: 1, resetAt: 1000 });
    expect(await store.hit('a', 1000)).toEqual({ count: 2, resetAt: 1000 });
    expect(await store.hit('b', 1000)).toEqual({ count: 1, resetAt: 1000 });
    now = 1000;
    expect(await store.hit('a', 1000)).toEqual({ count: 1, resetAt: 2000 });
  });

  it('sweeps expired windows once it holds sweepThreshold keys', async () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ now: () => now, sweepThreshold: 2 });
    await store.hit('a', 10);
    await store.hit('b', 10);
    now = 20;
    expect(await store.hit('c', 10)).toEqual({ count: 1, resetAt: 30 });
    expect(await store.hit('a', 10)).toEqual({ count: 1, resetAt: 30 });
  });
});

/** A fake of the three Redis commands, with key expiry on a manual clock. */
function fakeRedis(now: () => number): RedisRateLimitClient & { dropExpiry(key: string): void } {
  const values = new Map<string, { count: number; expiresAt: number | null }>();
  const live = (key: string) => {
    const entry = values.get(key);
    if (entry?.expiresAt !== null && entry !== undefined && entry.expiresAt <= now()) values.delete(key);
    return values.get(key);
  };
  return {
    async incr(key) {
      const entry = live(key) ?? { count: 0, expiresAt: null };
      entry.count += 1;
      values.set(key, entry);
      return entry.count;
    },
    async pexpire(key, milliseconds) {
      const entry = live(key);
      if (entry) entry.expiresAt = now() + milliseconds;
      return entry ? 1 : 0;
    },
    async pttl(key) {
      const entry = live(key);
      if (!entry) return -2;
      return entry.expiresAt === null ? -1 : entry.expiresAt - now();
    },
    dropExpiry(key) {
      const entry = values.get(key);
      if (entry) entry.expiresAt = null;
    },
  };
}

describe('createRedisRateLimitStore', () => {
  it('counts with INCR, expires windows with PEXPIRE and repairs a key left without expiry', async () => {
    let now = 0;
    const redis = fakeRedis(() => now);
    const store = createRedisRateLimitStore(redis, { now: () => now });
    expect(await store.hit('u', 1000)).toEqual({ count: 1, resetAt: 1000 });
    now = 400;
    expect(await store.hit('u', 1000)).toEqual({ count: 2, resetAt: 1000 });
    redis.dropExpiry('ratelimit:u');
    expect(await store.hit('u', 1000)).toEqual({ count: 3, resetAt: 1400 });
    now = 1400;
    expect(await store.hit('u', 1000)).toEqual({ count: 1, resetAt: 2400 });
  });
});
