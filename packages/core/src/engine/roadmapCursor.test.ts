import { describe, expect, it } from 'vitest';
import { decodeRoadmapCursor, encodeRoadmapCursor } from './roadmapCursor.js';

describe('roadmap cursor', () => {
  it('round-trips a position as base64url text', () => {
    const position = { created_at: '2026-01-01T00:00:00.000Z', roadmap_id: 'learn-rust-é-0000abcd' };
    const cursor = encodeRoadmapCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRoadmapCursor(cursor)).toEqual(position);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', btoa('nope').replace(/=+$/, '')],
    ['not a pair', btoa('["a"]').replace(/=+$/, '')],
    ['not strings', btoa('[1,"a"]').replace(/=+$/, '')],
    ['empty strings', btoa('["",""]').replace(/=+$/, '')],
    ['too long', 'A'.repeat(1_000)],
  ])('rejects a cursor that is %s as invalid_input', (_name, cursor) => {
    expect(() => decodeRoadmapCursor(cursor)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
