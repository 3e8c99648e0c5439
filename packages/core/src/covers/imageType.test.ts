import { describe, expect, it } from 'vitest';
import { detectImageType, imageExtensions } from './imageType.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
};

const samplePng = concat(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), ascii('\0\0\0\rIHDR'));
const sampleJpeg = bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46);
const sampleWebp = concat(ascii('RIFF'), bytes(0x24, 0, 0, 0), ascii('WEBPVP8 '));

describe('detectImageType', () => {
  it('recognises PNG, JPEG and WebP by their magic bytes', () => {
    expect(detectImageType(samplePng)).toBe('image/png');
    expect(detectImageType(sampleJpeg)).toBe('image/jpeg');
    expect(detectImageType(sampleWebp)).toBe('image/webp');
  });

  it('rejects text, other formats, empty input and truncated signatures', () => {
    expect(detectImageType(ascii('hello, I am a text file renamed cover.png'))).toBeNull();
    expect(detectImageType(ascii('GIF89a......'))).toBeNull();
    expect(detectImageType(ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectImageType(new Uint8Array())).toBeNull();
    expect(detectImageType(samplePng.subarray(0, 7))).toBeNull();
    expect(detectImageType(bytes(0xff, 0xd8))).toBeNull();
    // A RIFF container that is not WebP (a WAV file).
    expect(detectImageType(concat(ascii('RIFF'), bytes(0x24, 0, 0, 0), ascii('WAVEfmt ')))).toBeNull();
  });

  it('reads a view into a larger buffer from its own start', () => {
    const buffer = concat(ascii('junk'), samplePng);
    expect(detectImageType(buffer.subarray(4))).toBe('image/png');
    expect(detectImageType(buffer)).toBeNull();
  });
});

describe('imageExtensions', () => {
  it('names the file extension of every stored type, the offline artwork’s SVG included', () => {
    expect(imageExtensions).toEqual({
      'image/png': 'png',
      'image/jpeg': 'jpg',
      'image/webp': 'webp',
      'image/svg+xml': 'svg',
    });
    // An SVG is still never detected from bytes, so an upload can never become one.
    expect(detectImageType(new TextEncoder().encode('<?xml version="1.0"?><svg/>'))).toBeNull();
  });
});
