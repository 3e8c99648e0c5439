import { describe, expect, it } from 'vitest';
import { assertValidKey, assertValidKeyPrefix, objectKeyFor } from './objectKey.js';

describe('blob keys', () => {
  it.each(['cover.png', 'learn-rust-1a2b3c4d.png', 'a/b/c_d.v2.webp', '..hidden', 'x..y'])('accepts %j', (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it('names the problem in the error', () => {
    expect(() => assertValidKey('a/../b')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        errors: [{ path: 'key', message: 'it has a ".." path segment' }],
      }),
    );
  });

  it.each(['', 'covers/', 'tenant-a/covers/'])('accepts the prefix %j', (keyPrefix) => {
    expect(() => assertValidKeyPrefix(keyPrefix)).not.toThrow();
  });

  it('joins prefix and key', () => {
    expect(objectKeyFor('covers/', 'a/b.png')).toBe('covers/a/b.png');
    expect(objectKeyFor('', 'b.png')).toBe('b.png');
  });

  it('refuses a key that is too long only with its prefix', () => {
    const key = `${'k'.repeat(1016)}.png`;
    expect(objectKeyFor('', key)).toHaveLength(1020);
    expect(() => objectKeyFor('covers/', key)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
