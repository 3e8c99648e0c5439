/**
 * Zlib streams (RFC 1950) in plain TypeScript for the PNG encoder: stored blocks, or one fixed-Huffman deflate block
 * (RFC 1951) with LZ77 matches. No Node built-ins, so it runs in browsers too.
 */

/** Adler-32 checksum of `bytes`, as the zlib stream ends with. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let offset = 0; offset < bytes.length; offset += 5552) {
    const end = Math.min(bytes.length, offset + 5552);
    for (let index = offset; index < end; index++) {
      a += bytes[index] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const zlibHeader = [0x78, 0x01];

/** A zlib stream of stored (uncompressed) deflate blocks. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blockSize = 65535;
  const blocks = Math.max(1, Math.ceil(data.length / blockSize));
  const output = new Uint8Array(2 + blocks * 5 + data.length + 4);
  output.set(zlibHeader, 0);
  let position = 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * blockSize;
    const length = Math.min(blockSize, data.length - start);
    output[position] = block === blocks - 1 ? 1 : 0;
    output[position + 1] = length & 0xff;
    output[position + 2] = length >>> 8;
    output[position + 3] = ~length & 0xff;
    output[position + 4] = (~length >>> 8) & 0xff;
    output.set(data.subarray(start, start + length), position + 5);
    position += 5 + length;
  }
  writeUint32(output, position, adler32(data));
  return output;
}

// Deflate (RFC 1951) length and distance code tables.
const lengthBase = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const distanceBase = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const distanceExtra = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

const windowSize = 32768;
const maxMatch = 258;
const minMatch = 3;
const maxChain = 48;
const hashBits = 15;

/** A zlib stream holding one fixed-Huffman deflate block, with greedy LZ77 matching over hash chains. */
export function zlibDeflate(data: Uint8Array): Uint8Array {
  const writer = new BitWriter(data.length / 4 + 64);
  for (const byte of zlibHeader) writer.bits(byte, 8);
  writer.bits(1, 1); // final block
  writer.bits(1, 2); // fixed Huffman codes
  const head = new Int32Array(1 << hashBits).fill(-1);
  const previous = new Int32Array(windowSize);
  const hashAt = (index: number) =>
    (((data[index] as number) << 10) ^ ((data[index + 1] as number) << 5) ^ (data[index + 2] as number)) &
    ((1 << hashBits) - 1);
  const insert = (index: number) => {
    if (index + minMatch > data.length) return;
    const hash = hashAt(index);
    previous[index % windowSize] = head[hash] as number;
    head[hash] = index;
  };
  let position = 0;
  while (position < data.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (position + minMatch <= data.length) {
      let candidate = head[hashAt(position)] as number;
      const limit = Math.min(maxMatch, data.length - position);
      for (let chain = 0; chain < maxChain && candidate >= 0 && position - candidate <= windowSize; chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[position + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = position - candidate;
          if (length === limit) break;
        }
        const next = previous[candidate % windowSize] as number;
        if (next >= candidate) break;
        candidate = next;
      }
    }
    if (bestLength >= minMatch) {
      writeLength(writer, bestLength);
      writeDistance(writer, bestDistance);
      for (let index = 0; index < bestLength; index++) insert(position + index);
      position += bestLength;
    } else {
      writeLiteral(writer, data[position] as number);
      insert(position);
      position++;
    }
  }
  writeLiteral(writer, 256); // end of block
  const body = writer.finish();
  const output = new Uint8Array(body.length + 4);
  output.set(body, 0);
  writeUint32(output, body.length, adler32(data));
  return output;
}

/** Writes a literal/length symbol with the fixed Huffman code of RFC 1951 §3.2.6. */
function writeLiteral(writer: BitWriter, symbol: number): void {
  if (symbol < 144) writer.code(0x30 + symbol, 8);
  else if (symbol < 256) writer.code(0x190 + symbol - 144, 9);
  else if (symbol < 280) writer.code(symbol - 256, 7);
  else writer.code(0xc0 + symbol - 280, 8);
}

function writeLength(writer: BitWriter, length: number): void {
  let code = lengthBase.length - 1;
  while ((lengthBase[code] as number) > length) code--;
  writeLiteral(writer, 257 + code);
  const extra = lengthExtra[code] as number;
  if (extra > 0) writer.bits(length - (lengthBase[code] as number), extra);
}

function writeDistance(writer: BitWriter, distance: number): void {
  let code = distanceBase.length - 1;
  while ((distanceBase[code] as number) > distance) code--;
  writer.code(code, 5);
  const extra = distanceExtra[code] as number;
  if (extra > 0) writer.bits(distance - (distanceBase[code] as number), extra);
}

/** Packs bits least-significant first, as deflate does; Huffman codes go in most-significant bit first. */
class BitWriter {
  private buffer: Uint8Array;
  private length = 0;
  private current = 0;
  private count = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(64, Math.ceil(capacity)));
  }

  bits(value: number, count: number): void {
    for (let bit = 0; bit < count; bit++) this.push((value >>> bit) & 1);
  }

  code(value: number, count: number): void {
    for (let bit = count - 1; bit >= 0; bit--) this.push((value >>> bit) & 1);
  }

  finish(): Uint8Array {
    if (this.count > 0) this.byte(this.current);
    this.current = 0;
    this.count = 0;
    return this.buffer.slice(0, this.length);
  }

  private push(bit: number): void {
    this.current |= bit << this.count;
    this.count++;
    if (this.count === 8) {
      this.byte(this.current);
      this.current = 0;
      this.count = 0;
    }
  }

  private byte(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }
}

/** Writes `value` big-endian at `offset`. */
export function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 24) & 0xff;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}
