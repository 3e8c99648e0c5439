// The one reader of `Retry-After` in Roadmap Kit: image providers, the OpenAI adapter and the browser client all
// call it. No library: it is a dozen lines, and it must stay free of dependencies (Node's or any package's) because
// `@roadmap/core/client` ships it to browsers.

/** Where headers are read from: a fetch `Headers`, or anything with the same case-insensitive `get`. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

const decimal = /^\d+(\.\d+)?$/;

/**
 * How long a server asks to wait before the next request, in milliseconds: `retry-after-ms` (OpenAI's header, in
 * milliseconds) when it is readable, else `retry-after` (RFC 9110 §10.2.3: seconds, fractions accepted, or an HTTP
 * date, counted from `now` and never negative). `undefined` when neither header is present or readable.
 *
 * @example
 * parseRetryAfter(response.headers); // 'retry-after: 20' → 20_000
 */
export function parseRetryAfter(
  headers: HeaderSource | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds && decimal.test(milliseconds)) return Math.round(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (decimal.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names its month (`Wed, 21 Oct 2015 07:28:00 GMT`); `Date.parse` would also take `-3` for a year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
