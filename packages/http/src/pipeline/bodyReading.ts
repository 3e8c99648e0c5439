// Reading a request body with a size limit, on web streams only (the fetch handler's code path has no Node import).
// Written here rather than taken from a library: body parsers (body-parser, raw-body) work on Node streams, and the
// one thing needed — stop at the limit and read nothing more — is a loop over a reader.
import { HttpError } from '../errors/httpError.js';

/** The 413 answered for a body over its limit. */
export function payloadTooLarge(limit: number): HttpError {
  return new HttpError(413, {
    detail: `The request body is larger than ${limit} bytes.`,
    code: 'payload_too_large',
  });
}

/**
 * Every byte of `stream`, at most `limit`: a larger body is refused (413) as soon as the reader has passed the limit
 * and the stream is cancelled, so nothing more is read. A `Content-Length` over the limit is refused before reading.
 */
export async function readLimitedBytes(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  contentLength?: string | null,
): Promise<Uint8Array> {
  if (contentLength !== undefined && contentLength !== null && /^\d+$/.test(contentLength)) {
    if (Number(contentLength) > limit) {
      await stream?.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
  }
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > limit) {
        await reader.cancel().catch(() => {});
        throw payloadTooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Whether a `Content-Type` is JSON (`application/json`, `application/*+json`), whatever its parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** The media type of a `Content-Type` header, lower case without parameters (`''` when there is none). */
export function mediaTypeOf(contentType: string | undefined): string {
  return contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Reads the raw body, at most `limit` bytes (413 beyond): each host's own way of reading. */
export type ReadBytes = (limit: number) => Promise<Uint8Array>;

/**
 * A JSON body as `express.json({ strict: true })` parsed it: `undefined` without a JSON `Content-Type` (nothing is
 * read); `{}` for an empty body; an object or an array, else 400 `invalid_json`. UTF-8 only and no
 * `Content-Encoding` (415 otherwise).
 */
export async function readJsonBody(
  readBytes: ReadBytes,
  headers: Record<string, string | string[] | undefined>,
  limit: number,
): Promise<unknown> {
  const contentType = headerValue(headers['content-type']);
  if (!isJsonContentType(contentType)) return undefined;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, {
      detail: 'The request body has an unsupported charset.',
      code: 'unsupported_media_type',
    });
  }
  const encoding = headerValue(headers['content-encoding'])?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new HttpError(415, {
      detail: 'The request body has an unsupported Content-Encoding.',
      code: 'unsupported_media_type',
    });
  }
  const bytes = await readBytes(limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidJson();
  }
  if (text.trim() === '') return {};
  // Strict, as express.json: a document is an object or an array.
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') throw invalidJson();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

function invalidJson(): HttpError {
  return new HttpError(400, { detail: 'The request body is not valid JSON.', code: 'invalid_json' });
}

/** The first value of a header. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
