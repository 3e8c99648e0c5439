import type { IncomingMessage } from 'node:http';
import { HttpError, payloadTooLarge } from '@roadmap/http';

/**
 * The body of a Node request, at most `limit` bytes: a declared `Content-Length` over it is refused unread, and a
 * body that passes it while streaming is refused at once (413) with the request paused, so nothing more is read
 * (the answer closes the connection). A body an earlier middleware already read (`express.json()` or
 * `express.raw()` mounted before the router) is taken from `request.body`.
 */
export function readNodeRequestBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    return Promise.reject(payloadTooLarge(limit));
  }
  if (request.readableEnded) return Promise.resolve(alreadyRead(request, limit));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onFailure);
      request.off('aborted', onFailure);
    };
    const onData = (chunk: Uint8Array) => {
      length += chunk.byteLength;
      if (length > limit) {
        cleanup();
        request.pause();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, length));
    };
    const onFailure = () => {
      cleanup();
      reject(new HttpError(400, { detail: 'The request was aborted.', code: 'bad_request' }));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onFailure);
    request.on('aborted', onFailure);
  });
}

function alreadyRead(request: IncomingMessage, limit: number): Uint8Array {
  const body = (request as IncomingMessage & { body?: unknown }).body;
  let bytes: Uint8Array;
  if (body instanceof Uint8Array) bytes = body;
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body === undefined) bytes = new Uint8Array(0);
  else bytes = Buffer.from(JSON.stringify(body), 'utf8');
  if (bytes.byteLength > limit) throw payloadTooLarge(limit);
  return bytes;
}
