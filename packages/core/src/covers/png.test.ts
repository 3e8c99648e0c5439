import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, type PngImage } from './png.js';
import { adler32 } from './zlib.js';

interface Chunk {
  type: string;
  body: Uint8Array;
  crc: number;
  crcOfTypeAndBody: number;
}

function readChunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    chunks.push({
      type,
      body: png.subarray(offset + 8, offset + 8 + length),
      crc: view.getUint32(offset + 8 + length),
      crcOfTypeAndBody: crc32(png, offset + 4, offset + 8 + length),
    });
    offset += 12 + length;
  }
  return chunks;
}

/** Undoes the five PNG row filters (None, Sub, Up, Average, Paeth), independently of the encoder's code. */
function unfilter(raw: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  const pixels = new Uint8Array(width * height * channels);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)] as number;
    if (filter > 4) throw new Error(`unexpected filter ${filter}`);
    for (let index = 0; index < stride; index++) {
      const value = raw[row * (stride + 1) + 1 + index] as number;
      const left = index >= channels ? (pixels[row * stride + index - channels] as number) : 0;
      const above = row > 0 ? (pixels[(row - 1) * stride + index] as number) : 0;
      const aboveLeft = row > 0 && index >= channels ? (pixels[(row - 1) * stride + index - channels] as number) : 0;
      const estimate = left + above - aboveLeft;
      const [distanceLeft, distanceAbove, distanceAboveLeft] = [left, above, aboveLeft].map((value) =>
        Math.abs(estimate - value),
      ) as [number, number, number];
      const paeth =
        distanceLeft <= distanceAbove && distanceLeft <= distanceAboveLeft
          ? left
          : distanceAbove <= distanceAboveLeft
            ? above
            : aboveLeft;
      const predictor = [0, left, above, (left + above) >> 1, paeth][filter] as number;
      pixels[row * stride + index] = (value + predictor) & 0xff;
    }
  }
  return pixels;
}

function decode(png: Uint8Array) {
  const chunks = readChunks(png);
  const header = chunks[0]?.body ?? new Uint8Array();
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const channels = header[9] === 6 ? 4 : 3;
  const idat = chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.body);
  const raw = inflateSync(Buffer.concat(idat));
  return {
    chunks,
    width,
    height,
    channels,
    bitDepth: header[8],
    colourType: header[9],
    pixels: unfilter(raw, width, height, channels),
  };
}

function noisyImage(width: number, height: number, channels: 3 | 4): PngImage {
  const data = new Uint8Array(width * height * channels);
  let seed = 12345;
  for (let index = 0; index < data.length; index++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    // Half smooth gradient, half noise, so both matches and literals occur.
    data[index] = index % 7 < 4 ? (index >> 4) & 0xff : seed >>> 24;
  }
  return { width, height, channels, data };
}

describe('encodePng', () => {
  it.each(['deflate', 'none'] as const)('round-trips RGB pixels through zlib (%s)', (compression) => {
    const image = noisyImage(97, 61, 3);
    const png = encodePng(image, { compression });
    const decoded = decode(png);
    expect(decoded).toMatchObject({ width: 97, height: 61, channels: 3, bitDepth: 8, colourType: 2 });
    expect(decoded.pixels).toEqual(image.data);
  });

  it('round-trips RGBA pixels, including stored blocks larger than 64 KiB', () => {
    const image = noisyImage(160, 120, 4);
    for (const compression of ['deflate', 'none'] as const) {
      const decoded = decode(encodePng(image, { compression }));
      expect(decoded.colourType).toBe(6);
      expect(decoded.pixels).toEqual(image.data);
    }
  });

  it('round-trips long runs (matches of maximum length and distance)', () => {
    const width = 600;
    const height = 200;
    const data = new Uint8Array(width * height * 3);
    for (let index = 0; index < data.length; index++) data[index] = Math.floor(index / 40000) * 60;
    const image: PngImage = { width, height, channels: 3, data };
    const png = encodePng(image);
    expect(Buffer.from(decode(png).pixels).equals(data)).toBe(true);
    expect(png.length).toBeLessThan(data.length / 50);
  });

  it('writes the signature, IHDR first, IEND last, and a correct CRC on every chunk', () => {
    const png = encodePng(noisyImage(8, 4, 3));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = readChunks(png);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks[0]?.body.length).toBe(13);
    expect(chunks[2]?.body.length).toBe(0);
    for (const chunk of chunks) expect(chunk.crc).toBe(chunk.crcOfTypeAndBody);
  });

  it('rejects data whose length does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow(RangeError);
    expect(() => encodePng({ width: 0, height: 2, channels: 3, data: new Uint8Array(0) })).toThrow(RangeError);
  });
});

describe('checksums', () => {
  it('computes the standard CRC-32 and Adler-32 check values', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(adler32(bytes)).toBe(0x091e01de);
    expect(adler32(new Uint8Array(0))).toBe(1);
  });

  it('keeps Adler-32 exact over long inputs of large bytes', () => {
    const bytes = new Uint8Array(100_000).fill(255);
    let a = 1;
    let b = 0;
    for (const byte of bytes) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    expect(adler32(bytes)).toBe(((b << 16) | a) >>> 0);
  });
});
