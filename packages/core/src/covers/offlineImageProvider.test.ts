// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { isAbortError } from '../shared/errors.js';
import { designCover, leadingCharacter } from './coverArtwork.js';
import type { ImageRequest, ImageResult } from './imageProvider.js';
import { createOfflineImageProvider, isOfflineArtwork } from './offlineImageProvider.js';

function request(title: string, abortSignal = new AbortController().signal): ImageRequest {
  return { roadmapId: 'roadmap-1', prompt: `${title} (topic)`, title, abortSignal };
}

function bytesOf(result: ImageResult): Uint8Array {
  if (result.kind !== 'bytes') throw new Error('expected bytes');
  return result.data;
}

/** Parses the SVG with a strict XML parser; fails the test on any well-formedness error. */
function parse(bytes: Uint8Array): Document {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const document = new DOMParser().parseFromString(text, 'image/svg+xml');
  expect(document.getElementsByTagName('parsererror')).toHaveLength(0);
  expect(document.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg');
  return document;
}

/** The lines of the title as drawn (the shadow copy and the monogram left out). */
function titleLines(document: Document): string[] {
  const groups = [...document.querySelectorAll('g[font-weight="600"] > g')];
  return [...(groups.at(-1)?.querySelectorAll('text') ?? [])].map((text) => text.textContent ?? '');
}

const drawingElements = new Set([
  'svg',
  'title',
  'defs',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'rect',
  'circle',
  'path',
  'polygon',
  'g',
  'text',
]);

describe('createOfflineImageProvider', () => {
  it('returns an SVG of the default size, with width, height and a matching viewBox', async () => {
    const provider = createOfflineImageProvider();
    expect(provider).toMatchObject({ specificationVersion: 'v1', provider: 'offline' });
    const result = await provider.generate(request('Learn Rust'));
    expect(result).toMatchObject({ kind: 'bytes', contentType: 'image/svg+xml' });
    const svg = parse(bytesOf(result)).documentElement;
    expect(svg.getAttribute('width')).toBe('800');
    expect(svg.getAttribute('height')).toBe('420');
    expect(svg.getAttribute('viewBox')).toBe('0 0 800 420');
    expect(svg.querySelector('title')?.textContent).toBe('Learn Rust');
    expect(titleLines(svg.ownerDocument)).toEqual(['Learn Rust']);
    expect(bytesOf(result).length).toBeLessThan(8_000);
  });

  it('gives the same bytes for the same title and different artwork for different titles', async () => {
    const provider = createOfflineImageProvider({ width: 160, height: 84 });
    const first = bytesOf(await provider.generate(request('Machine Learning')));
    const again = bytesOf(
      await createOfflineImageProvider({ width: 160, height: 84 }).generate(request('Machine Learning')),
    );
    const other = bytesOf(await provider.generate(request('Medieval History')));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(designCover('Machine Learning').colours).not.toEqual(designCover('Medieval History').colours);
  });

  it('varies colours and patterns across titles', () => {
    const titles = Array.from({ length: 40 }, (_, index) => `Roadmap number ${index}`);
    const designs = titles.map(designCover);
    expect(new Set(designs.map((design) => design.pattern)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(designs.map((design) => design.colours[0].map(Math.round).join())).size).toBe(40);
  });

  it.each([
    ['markup characters', 'Learn <script>alert("x")</script> & \'friends\''],
    ['an entity lookalike', 'AT&amp;T &lt;b&gt; ]]> <![CDATA[ x ]]>'],
    ['emoji with modifiers and joiners', '🦀 Rust for 👩‍👩‍👧 families 👍🏽'],
    ['CJK', '日本語を学ぶための完全なロードマップ'],
    ['Arabic, right to left', 'تعلم البرمجة بلغة بايثون'],
  ])('escapes a title with %s: well-formed XML whose text is the title', async (_, title) => {
    const bytes = bytesOf(await createOfflineImageProvider().generate(request(title)));
    const document = parse(bytes);
    expect(document.querySelector('title')?.textContent).toBe(title);
    const lines = titleLines(document);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(3);
    // Wrapping only ever breaks at spaces or between wide (CJK, emoji) characters: joined, the lines are the title.
    expect(lines.join(' ').replaceAll(' ', '')).toBe(title.replaceAll(' ', ''));
    expect(new TextDecoder().decode(bytes)).not.toMatch(/<script|<!\[CDATA\[/);
  });

  it('draws no script, link, style or event handler, whatever the title', async () => {
    const title = '"><script>alert(1)</script><a href="javascript:alert(1)" onclick="x" style="x">';
    const document = parse(bytesOf(await createOfflineImageProvider().generate(request(title))));
    for (const element of document.querySelectorAll('*')) {
      expect(drawingElements).toContain(element.localName);
      for (const attribute of element.attributes) {
        expect(attribute.name).not.toMatch(/^on|^style$|href$/i);
      }
    }
    expect(document.querySelector('title')?.textContent).toBe(title);
  });

  it('drops characters XML cannot hold (controls, lone surrogates) instead of breaking the document', async () => {
    const document = parse(
      bytesOf(await createOfflineImageProvider().generate(request('Go\u0000 \u0008ba\uD800sics\uFFFF'))),
    );
    expect(document.querySelector('title')?.textContent).toBe('Go basics');
    expect(titleLines(document)).toEqual(['Go basics']);
  });

  it('fits a very long title in three lines ending with an ellipsis, and keeps the file small', async () => {
    const title = `Distributed systems ${'and consensus algorithms '.repeat(400)}`.trim();
    const bytes = bytesOf(await createOfflineImageProvider().generate(request(title)));
    const document = parse(bytes);
    const lines = titleLines(document);
    expect(lines).toHaveLength(3);
    expect(lines[0]?.startsWith('Distributed')).toBe(true);
    expect(lines[2]?.endsWith('…')).toBe(true);
    expect(bytes.length).toBeLessThan(8_000);
    // The accessible title is cut at 300 characters too.
    expect(document.querySelector('title')?.textContent).toBe(title.slice(0, 300));
  });

  it('honours the requested size, portrait too, and leaves the title out where it would be illegible', async () => {
    const square = parse(
      bytesOf(await createOfflineImageProvider({ width: 400, height: 400 }).generate(request('Go'))),
    );
    expect(square.documentElement.getAttribute('viewBox')).toBe('0 0 400 400');
    expect(titleLines(square)).toEqual(['Go']);
    const tiny = parse(bytesOf(await createOfflineImageProvider({ width: 64, height: 32 }).generate(request('Go'))));
    expect(tiny.documentElement.getAttribute('width')).toBe('64');
    expect(tiny.documentElement.getAttribute('height')).toBe('32');
    expect(titleLines(tiny)).toEqual([]);
  });

  it('rejects sizes it cannot draw', () => {
    expect(() => createOfflineImageProvider({ width: 0 })).toThrow(/width/);
    expect(() => createOfflineImageProvider({ height: 10.5 })).toThrow(/height/);
    expect(() => createOfflineImageProvider({ width: 5000 })).toThrow(/width/);
  });

  it('throws an AbortError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await createOfflineImageProvider()
      .generate(request('Rust', controller.signal))
      .catch((caught) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('falls back to the prompt when the title is blank', async () => {
    const provider = createOfflineImageProvider({ width: 32, height: 32 });
    const blank = bytesOf(await provider.generate({ ...request(' '), prompt: 'Zig' }));
    const zig = bytesOf(await provider.generate({ ...request('Zig'), prompt: 'other' }));
    expect(blank).toEqual(zig);
  });

  it('marks exactly the arrays it returned as its own artwork, not copies of them', async () => {
    const data = bytesOf(await createOfflineImageProvider().generate(request('Go')));
    expect(isOfflineArtwork(data)).toBe(true);
    expect(isOfflineArtwork(data.slice())).toBe(false);
    expect(isOfflineArtwork(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(false);
  });
});

describe('the large character', () => {
  it('is the first letter, digit or emoji, upper-cased where that stays one character', () => {
    expect(leadingCharacter('rust')).toBe('R');
    expect(leadingCharacter('  3D modelling')).toBe('3');
    expect(leadingCharacter('ökologie')).toBe('Ö');
    expect(leadingCharacter('¿Qué?')).toBe('Q');
    expect(leadingCharacter('日本語')).toBe('日');
    expect(leadingCharacter('👩‍👩‍👧 family')).toBe('👩‍👩‍👧');
    expect(leadingCharacter('ßeta')).toBe('ß');
    expect(leadingCharacter('!!! ???')).toBeUndefined();
  });

  it('is drawn as text, or as a diamond when the title has none', async () => {
    const provider = createOfflineImageProvider();
    const lettered = parse(bytesOf(await provider.generate(request('rust'))));
    expect(lettered.querySelector('text[font-weight="700"]')?.textContent).toBe('R');
    expect(lettered.querySelector('polygon')).toBeNull();
    const symbols = parse(bytesOf(await provider.generate(request('!!!'))));
    expect(symbols.querySelector('text[font-weight="700"]')).toBeNull();
    expect(symbols.querySelectorAll('polygon')).toHaveLength(2);
  });
});
