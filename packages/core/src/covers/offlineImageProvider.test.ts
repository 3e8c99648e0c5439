import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isAbortError } from '../shared/errors.js';
import { glyphCells, glyphCharacter } from './bitmapFont.js';
import { designCover } from './coverArtwork.js';
import type { ImageRequest, ImageResult } from './imageProvider.js';
import { createOfflineImageProvider } from './offlineImageProvider.js';

function request(title: string, abortSignal = new AbortController().signal): ImageRequest {
  return { roadmapId: 'roadmap-1', prompt: `${title} (topic)`, title, abortSignal };
}

function bytesOf(result: ImageResult): Uint8Array {
  if (result.kind !== 'bytes') throw new Error('expected bytes');
  return result.data;
}

function sizeOf(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('createOfflineImageProvider', () => {
  it('returns PNG bytes of the default size, decodable by zlib', async () => {
    const provider = createOfflineImageProvider();
    expect(provider).toMatchObject({ specificationVersion: 'v1', provider: 'offline' });
    const result = await provider.generate(request('Learn Rust'));
    expect(result).toMatchObject({ kind: 'bytes', contentType: 'image/png' });
    const png = bytesOf(result);
    expect(sizeOf(png)).toEqual({ width: 800, height: 420 });
    const idat = png.subarray(8 + 25 + 8, png.length - 12 - 4);
    expect(inflateSync(idat).length).toBe(420 * (800 * 3 + 1));
    expect(png.length).toBeLessThan(250_000);
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

  it('honours the requested size', async () => {
    const png = bytesOf(await createOfflineImageProvider({ width: 64, height: 32 }).generate(request('Go')));
    expect(sizeOf(png)).toEqual({ width: 64, height: 32 });
  });

  it('rejects sizes it cannot draw', () => {
    expect(() => createOfflineImageProvider({ width: 0 })).toThrow(/width/);
    expect(() => createOfflineImageProvider({ height: 10.5 })).toThrow(/height/);
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
});

describe('bitmap font', () => {
  it('picks the first letter or digit, upper-cased and without accents', () => {
    expect(glyphCharacter('rust')).toBe('R');
    expect(glyphCharacter('  3D modelling')).toBe('3');
    expect(glyphCharacter('Ökologie')).toBe('O');
    expect(glyphCharacter('¿Qué?')).toBe('Q');
    expect(glyphCharacter('日本語')).toBeUndefined();
  });

  it('has a 5×7 glyph for every letter and digit, distinct from the fallback', () => {
    const fallback = JSON.stringify(glyphCells(undefined));
    const seen = new Set<string>();
    for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') {
      const cells = glyphCells(character);
      expect(cells).toHaveLength(7);
      for (const row of cells) expect(row).toHaveLength(5);
      const key = JSON.stringify(cells);
      expect(key).not.toBe(fallback);
      seen.add(key);
    }
    expect(seen.size).toBe(36);
  });
});
