import { describe, expect, it } from 'vitest';
import { itemErrorFor } from './itemError.js';

describe('itemErrorFor', () => {
  it("keeps a failed item's reason, 'failed' when none is given", () => {
    expect(itemErrorFor('failed', 'invalid JSON')).toBe('invalid JSON');
    expect(itemErrorFor('failed')).toBe('failed');
  });

  it('clears the error for every other status', () => {
    expect(itemErrorFor('generating', 'left over')).toBeNull();
    expect(itemErrorFor('completed')).toBeNull();
    expect(itemErrorFor('pending', 'left over')).toBeNull();
  });
});
