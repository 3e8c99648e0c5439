import { describe, expect, it } from 'vitest';
import { PartialJsonString } from './partialJsonString.js';

/** Feeds `text` in pieces of `size` characters; returns what came out, piece by piece. */
function feed(text: string, size: number, field = 'content'): string[] {
  const reader = new PartialJsonString(field);
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(reader.push(text.slice(start, start + size)));
  return out;
}

describe('PartialJsonString', () => {
  const value = {
    title: 'Ownership "content"',
    summary: 'About content',
    nested: { content: 'not this one', list: ['content', { content: 'nor this' }] },
    content:
      '# Ownership\n\nA "quote", a back\\slash, a tab\t, é, 中文 and an emoji 🦀 in one line.\n```rust\nlet x = 1;\n```',
    after: 'ignored',
  };
  const text = JSON.stringify(value);
  const escaped = JSON.stringify(value).replace('🦀', '\\ud83e\\udd80').replace('é', '\\u00e9');

  it.each([1, 2, 3, 5, 7, 64, 10_000])('decodes the top-level field whatever the pieces (%i characters)', (size) => {
    expect(feed(text, size).join('')).toBe(value.content);
    expect(feed(escaped, size).join('')).toBe(value.content);
  });

  it('gives each piece what it completed, holding back a cut escape', () => {
    const reader = new PartialJsonString('content');
    expect(reader.push('{"title":"T","content":"# A')).toBe('# A');
    expect(reader.push('\\')).toBe('');
    expect(reader.push('nB \\u00')).toBe('\nB ');
    expect(reader.push('e9')).toBe('é');
    expect(reader.push('\\ud83e')).toBe('');
    expect(reader.push('\\udd80!"}')).toBe('🦀!');
    expect(reader.push(' more')).toBe('');
  });

  it('reads nothing when the field is missing, not a string, or only nested', () => {
    expect(feed('{"content":42,"x":"content"}', 3).join('')).toBe('');
    expect(feed('{"a":{"content":"deep"}}', 4).join('')).toBe('');
    expect(feed('{"title":"x"}', 2, 'content').join('')).toBe('');
  });
});
