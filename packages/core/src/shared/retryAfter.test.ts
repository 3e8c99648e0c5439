import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retryAfter.js';

const now = Date.parse('2026-01-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('prefers OpenAI’s retry-after-ms header', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '12.6' }), now)).toBe(13);
  });

  it('falls back to retry-after when retry-after-ms is unreadable', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '-5', 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '15 ms', 'retry-after': '3' }), now)).toBe(3000);
  });

  it('reads retry-after in seconds, fractions included, spaces ignored', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '20' }), now)).toBe(20_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0' }), now)).toBe(0);
    expect(parseRetryAfter({ get: (name) => (name === 'retry-after' ? ' 7 ' : undefined) }, now)).toBe(7000);
  });

  it('reads retry-after as an HTTP date, counted from now and never negative', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 11:00:00 GMT' }), now)).toBe(0);
  });

  it('is undefined without a readable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '   ' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-3' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '-5' }), now)).toBeUndefined();
  });
});
