// A size option as a number of bytes or a string (`'64kb'`), as `express.json({ limit })` took it. Ten lines rather
// than the `bytes` package, which is CommonJS written for Node; the fetch handler's path stays free of it.

const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes of `size`: a whole number, or a number and a unit (`b`, `kb`, `mb`, `gb`; powers of 1024). */
export function parseByteSize(size: string | number): number {
  if (typeof size === 'number') {
    if (Number.isFinite(size) && size >= 0) return Math.floor(size);
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(size);
    if (match) return Math.floor(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
  }
  throw new TypeError(`Not a size: ${String(size)} (use a number of bytes or a string such as '64kb').`);
}
