import type { PutObjectCommand } from '@aws-sdk/client-s3';
import { RoadmapError } from '@roadmap/core';

/**
 * Checks `publicBaseUrl` (an absolute http(s) URL) and drops trailing slashes, so `${base}/${key}` has exactly one.
 * Throws `RoadmapError('invalid_input')` otherwise.
 */
export function normalizePublicBaseUrl(publicBaseUrl: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(publicBaseUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    const problem = 'it must be an absolute http(s) URL';
    throw new RoadmapError('invalid_input', `Invalid publicBaseUrl ${JSON.stringify(publicBaseUrl)}: ${problem}`, {
      errors: [{ path: 'publicBaseUrl', message: problem }],
    });
  }
  return publicBaseUrl.replace(/\/+$/, '');
}

/**
 * Records the URL the SDK addresses the object at while it sends `command`: the resolved endpoint with the bucket in
 * the path (path-style) or in the host name (virtual-hosted), without the query. Reading it from the request, rather
 * than rebuilding it from options, makes it right for any client configuration, a brought-in client included.
 * Returns a reader; it answers `undefined` until the request was built.
 */
export function recordObjectUrl(command: PutObjectCommand): () => string | undefined {
  let url: string | undefined;
  command.middlewareStack.add(
    (next) => (args) => {
      url = requestUrl(args.request) ?? url;
      return next(args);
    },
    { step: 'build', name: 'roadmapRecordObjectUrl', override: true },
  );
  return () => url;
}

function requestUrl(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const { protocol, hostname, port, path } = request as Record<string, unknown>;
  if (typeof protocol !== 'string' || typeof hostname !== 'string' || typeof path !== 'string') return undefined;
  const scheme = protocol.endsWith(':') ? protocol : `${protocol}:`;
  const host = typeof port === 'number' ? `${hostname}:${port}` : hostname;
  // `URL` drops a default port (`:443` for https), so the same object always has the same URL.
  return new URL(`${scheme}//${host}${path}`).href;
}
