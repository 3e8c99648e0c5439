import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Handler } from './expressApp.js';
import { serveStatic } from './expressApp.js';

/** Paths the web app never answers: the API, the WebSocket and the health endpoints stay theirs, also when unknown. */
const reservedPath = /^\/(?:api(?:\/|$)|healthz$|readyz$)/;

/** Content-Security-Policy of the app's HTML: own scripts only; covers may come from any http(s) host (webhook providers). */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: http: https:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** True when `directory` holds a built app (`index.html`). */
export function hasWebBuild(directory: string): boolean {
  return existsSync(path.join(directory, 'index.html'));
}

function setSecurityHeaders(response: { setHeader(name: string, value: string): unknown }, html: boolean): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  if (html) {
    response.setHeader('Content-Security-Policy', contentSecurityPolicy);
    response.setHeader('X-Frame-Options', 'DENY');
    // The app reads its login token from the URL fragment; never cache the page itself.
    response.setHeader('Cache-Control', 'no-cache');
  }
}

/**
 * Serves a built single-page app from `directory`: its files (hashed `assets/*` cached for a year, `index.html`
 * revalidated on every load) and, for any other `GET`/`HEAD` whose last path segment has no file extension,
 * `index.html` (so `/tasks/…` deep links load the app, whose router takes over). Never answers `/api/…`,
 * `/healthz` or `/readyz`: those fall through to the API and its JSON 404. A missing file (`/assets/x.js`)
 * falls through too.
 */
export function createWebAppHandler(directory: string): Handler {
  const indexFile = path.join(directory, 'index.html');
  const files = serveStatic(directory, {
    index: 'index.html',
    redirect: false,
    dotfiles: 'ignore',
    setHeaders: (response, filePath) => {
      const html = filePath.endsWith('.html');
      setSecurityHeaders(response, html);
      const relative = path.relative(directory, filePath).split(path.sep).join('/');
      if (relative.startsWith('assets/')) response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const pathname = request.path;
    if (reservedPath.test(pathname)) return next();
    files(request, response, (error?: unknown) => {
      if (error) return next(error);
      const lastSegment = pathname.slice(pathname.lastIndexOf('/') + 1);
      if (lastSegment.includes('.')) return next();
      setSecurityHeaders(response, true);
      response.sendFile(indexFile, (sendError?: unknown) => {
        if (sendError) next(sendError);
      });
    });
  };
}
