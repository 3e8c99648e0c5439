import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verifiedTokenCache.js';

describe('VerifiedTokenCache', () => {
  it('holds at most maxEntries, pushing out the oldest; a copy is answered', () => {
    const cache = new VerifiedTokenCache(() => 0, 2);
    cache.set('a', { userId: 'user-a' });
    cache.set('b', { userId: 'user-b' });
    cache.set('c', { userId: 'user-c' });
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    const answered = cache.get('b');
    expect(answered).toEqual({ userId: 'user-b' });
    if (answered) answered.userId = 'changed';
    expect(cache.get('b')).toEqual({ userId: 'user-b' });
  });

  it('keeps nothing already expired, and nothing at all with maxEntries 0', () => {
    const cache = new VerifiedTokenCache(() => 1000, 10);
    cache.set('expired', { userId: 'u', expiresAt: 1000 });
    expect(cache.size).toBe(0);
    const off = new VerifiedTokenCache(() => 0, 0);
    off.set('a', { userId: 'u' });
    expect(off.get('a')).toBeUndefined();
  });
});
