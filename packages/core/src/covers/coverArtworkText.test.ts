import { describe, expect, it } from 'vitest';
import { escapeXml, textWidth, titleGraphemes, wrapTitle } from './coverArtworkText.js';

describe('escapeXml', () => {
  it('escapes the five markup characters and leaves other text alone', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;',
    );
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
    expect(escapeXml('日本語 🦀 naïve')).toBe('日本語 🦀 naïve');
  });

  it('drops what XML 1.0 cannot hold: C0 controls, U+FFFE/U+FFFF and lone surrogates', () => {
    expect(escapeXml('a\u0000b\u001Fc\uFFFEd\uD83De\uDD80f')).toBe('abcdef');
    // Tab and line breaks are allowed; a valid surrogate pair stays.
    expect(escapeXml('a\tb\nc\uD83E\uDD80')).toBe('a\tb\nc🦀');
  });
});

describe('titleGraphemes', () => {
  it('keeps emoji sequences and combining marks whole and collapses whitespace', () => {
    expect(titleGraphemes('👩‍👩‍👧 e\u0301\t\n x')).toEqual(['👩‍👩‍👧', ' ', 'e\u0301', ' ', 'x']);
  });
});

describe('wrapTitle', () => {
  it('breaks between words and fills each line as far as it fits', () => {
    const lines = wrapTitle('Learn the Rust programming language', 9, 5);
    expect(lines).toEqual(['Learn the Rust', 'programming', 'language']);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(9);
  });

  it('keeps a title that fits on one line whole, trimmed', () => {
    expect(wrapTitle('  Learn Go  ', 20, 3)).toEqual(['Learn Go']);
    expect(wrapTitle('   ', 20, 3)).toEqual([]);
  });

  it('breaks CJK text anywhere, and a word wider than a line inside the word', () => {
    expect(wrapTitle('日本語を学ぶ', 3, 5)).toEqual(['日本語', 'を学ぶ']);
    const lines = wrapTitle('Supercalifragilisticexpialidocious', 8, 10);
    expect(lines.join('')).toBe('Supercalifragilisticexpialidocious');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(8);
  });

  it('never splits an emoji sequence', () => {
    const lines = wrapTitle('👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧', 2, 5);
    expect(lines).toEqual(['👩‍👩‍👧👩‍👩‍👧', '👩‍👩‍👧']);
  });

  it('cuts the last allowed line short with an ellipsis that fits', () => {
    const lines = wrapTitle('one two three four five six seven eight nine ten', 6, 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('one two');
    expect(lines[1]?.endsWith('…')).toBe(true);
    expect(lines[1]).not.toMatch(/ …$/);
    expect(textWidth(lines[1] ?? '')).toBeLessThanOrEqual(6);
  });
});
