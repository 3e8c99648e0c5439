/**
 * A small PNG encoder in plain TypeScript (no Node built-ins, so it runs in browsers and workers too). It writes
 * 8-bit RGB or RGBA images; each row gets the PNG filter that looks smallest and the zlib stream is either
 * one fixed-Huffman deflate block with LZ77 matches or stored (uncompressed) blocks.
 */

import { writeUint32, zlibDeflate, zlibStored } from './zlib.js';

/** Raw pixels, row after row, `channels` bytes per pixel, no padding. */
export interface PngImage {
  width: number;
  height: number;
  /** 3 for RGB, 4 for RGBA. */
  channels: 3 | 4;
  /** `width * height * channels` bytes. */
  data: Uint8Array;
}

export interface PngEncodeOptions {
  /** `'deflate'` compresses (fixed Huffman codes with LZ77); `'none'` writes stored blocks. Default: `'deflate'`. */
  compression?: 'deflate' | 'none';
}

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Encodes `image` as a PNG file. Throws a `RangeError` when the size and the data disagree. */
export function encodePng(image: PngImage, options: PngEncodeOptions = {}): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`PNG data has ${data.length} bytes, expected ${width * height * channels}`);
  }
  const header = new Uint8Array(13);
  writeUint32(header, 0, width);
  writeUint32(header, 4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // colour type: truecolour with or without alpha
  const filtered = filterRows(image);
  const compressed = options.compression === 'none' ? zlibStored(filtered) : zlibDeflate(filtered);
  return concat([
    Uint8Array.from(signature),
    chunk('IHDR', header),
    chunk('IDAT', compressed),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Like {@link encodePng}, but compresses with the platform's native `CompressionStream('deflate')` (zlib format, as
 * PNG needs) where there is one — Node 18+ and browsers — which is much faster and does not block the event loop;
 * elsewhere it falls back to the built-in deflate.
 */
export async function encodePngAsync(image: PngImage): Promise<Uint8Array> {
  const Compression = (globalThis as { CompressionStream?: new (format: 'deflate') => TransformStream })
    .CompressionStream;
  if (!Compression) return encodePng(image);
  const filtered = filterRowsUp(image);
  const stream = new Blob([filtered as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Compression('deflate'));
  const compressed = new Uint8Array(await new Response(stream).arrayBuffer());
  const header = new Uint8Array(13);
  writeUint32(header, 0, image.width);
  writeUint32(header, 4, image.height);
  header[8] = 8;
  header[9] = image.channels === 4 ? 6 : 2;
  return concat([
    Uint8Array.from(signature),
    chunk('IHDR', header),
    chunk('IDAT', compressed),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** CRC-32 (ISO 3309, as PNG uses) of `bytes`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const table = crcTable();
  let crc = 0xffffffff;
  for (let index = start; index < end; index++) {
    crc = (table[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

let crcTableCache: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (crcTableCache) return crcTableCache;
  const table = new Uint32Array(256);
  for (let value = 0; value < 256; value++) {
    let crc = value;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    table[value] = crc >>> 0;
  }
  crcTableCache = table;
  return table;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + body.length);
  writeUint32(bytes, 0, body.length);
  for (let index = 0; index < 4; index++) bytes[4 + index] = type.charCodeAt(index);
  bytes.set(body, 8);
  writeUint32(bytes, 8 + body.length, crc32(bytes, 4, 8 + body.length));
  return bytes;
}

/**
 * Prefixes each row with the filter (None, Sub, Up, Average or Paeth) whose output has the smallest sum of absolute
 * values, the heuristic libpng uses.
 */
function filterRows({ width, height, channels, data }: PngImage): Uint8Array {
  const stride = width * channels;
  const output = new Uint8Array(height * (stride + 1));
  const candidates = [0, 1, 2, 3, 4].map(() => new Uint8Array(stride));
  const [none, sub, up, average, paethRow] = candidates as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const costs = [0, 0, 0, 0, 0];
  const cost = (filtered: number) => (filtered < 128 ? filtered : 256 - filtered);
  for (let row = 0; row < height; row++) {
    const start = row * stride;
    let costNone = 0;
    let costSub = 0;
    let costUp = 0;
    let costAverage = 0;
    let costPaeth = 0;
    for (let index = 0; index < stride; index++) {
      const value = data[start + index] as number;
      const left = index >= channels ? (data[start + index - channels] as number) : 0;
      const above = row > 0 ? (data[start + index - stride] as number) : 0;
      const aboveLeft = row > 0 && index >= channels ? (data[start + index - stride - channels] as number) : 0;
      const filteredNone = value;
      const filteredSub = (value - left) & 0xff;
      const filteredUp = (value - above) & 0xff;
      const filteredAverage = (value - ((left + above) >> 1)) & 0xff;
      const filteredPaeth = (value - paeth(left, above, aboveLeft)) & 0xff;
      none[index] = filteredNone;
      sub[index] = filteredSub;
      up[index] = filteredUp;
      average[index] = filteredAverage;
      paethRow[index] = filteredPaeth;
      costNone += cost(filteredNone);
      costSub += cost(filteredSub);
      costUp += cost(filteredUp);
      costAverage += cost(filteredAverage);
      costPaeth += cost(filteredPaeth);
    }
    costs[0] = costNone;
    costs[1] = costSub;
    costs[2] = costUp;
    costs[3] = costAverage;
    costs[4] = costPaeth;
    let best = 0;
    for (let filter = 1; filter < 5; filter++) if ((costs[filter] as number) < (costs[best] as number)) best = filter;
    const offset = row * (stride + 1);
    output[offset] = best;
    output.set(candidates[best] as Uint8Array, offset + 1);
  }
  return output;
}

/** Every row with the "Up" filter: a cheap pass, and smooth artwork compresses well with it. */
function filterRowsUp({ width, height, channels, data }: PngImage): Uint8Array {
  const stride = width * channels;
  const output = new Uint8Array(height * (stride + 1));
  for (let row = 0; row < height; row++) {
    const start = row * stride;
    const offset = row * (stride + 1);
    output[offset] = row === 0 ? 0 : 2;
    if (row === 0) {
      output.set(data.subarray(start, start + stride), offset + 1);
      continue;
    }
    for (let index = 0; index < stride; index++) {
      output[offset + 1 + index] = ((data[start + index] as number) - (data[start + index - stride] as number)) & 0xff;
    }
  }
  return output;
}

function paeth(left: number, above: number, aboveLeft: number): number {
  const estimate = left + above - aboveLeft;
  const distanceLeft = Math.abs(estimate - left);
  const distanceAbove = Math.abs(estimate - above);
  const distanceAboveLeft = Math.abs(estimate - aboveLeft);
  if (distanceLeft <= distanceAbove && distanceLeft <= distanceAboveLeft) return left;
  return distanceAbove <= distanceAboveLeft ? above : aboveLeft;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const output = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}
