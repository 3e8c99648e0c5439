/** Raster image types a cover may be uploaded or fetched as: the ones every browser shows. */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/**
 * Types a stored cover may have: the raster {@link ImageType}s, and SVG, which only the offline provider's own
 * artwork may be (never an upload or another provider's bytes: an SVG can hold script).
 */
export type StoredImageType = ImageType | 'image/svg+xml';

/** File extension of each stored image type, used for blob keys. */
export const imageExtensions: Readonly<Record<StoredImageType, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
};

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];
const riff = [0x52, 0x49, 0x46, 0x46];
const webp = [0x57, 0x45, 0x42, 0x50];

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

/**
 * The type of an image from its first bytes (its magic number), never from a name or a `Content-Type` header:
 * PNG, JPEG or WebP, else `null` (SVG too: it is text, and it is never accepted from an upload).
 *
 * @example
 * detectImageType(await readFile('cover.png')); // 'image/png', even when the file is called cover.jpg
 */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, pngSignature)) return 'image/png';
  if (startsWith(bytes, jpegSignature)) return 'image/jpeg';
  if (startsWith(bytes, riff) && startsWith(bytes, webp, 8)) return 'image/webp';
  return null;
}
