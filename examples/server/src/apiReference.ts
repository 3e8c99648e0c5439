import { createRequire } from 'node:module';
import path from 'node:path';
import type { Handler } from './expressApp.js';
import { serveStatic } from './expressApp.js';

const require = createRequire(import.meta.url);
/** The folder of swagger-ui-dist's prebuilt files (no build step, no network). */
const swaggerUiDirectory = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Own scripts and styles only: the page loads Swagger UI from this server and the document from `/api/v1`. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Roadmap Kit API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/api/docs/start.js"></script>
  </body>
</html>
`;

// A file rather than an inline script, so the page keeps `script-src 'self'`.
const start = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/**
 * The browsable API reference at `/api/docs` (mount it there): Swagger UI over `GET /api/v1/openapi.json`, the
 * OpenAPI 3.1 document the route table generates. "Try it out" sends requests with the bearer token entered under
 * "Authorize" (the dev login's token works).
 */
export function createApiReferenceHandler(): Handler {
  const assets = serveStatic(swaggerUiDirectory, { index: false, fallthrough: false });
  return (request, response, next) => {
    const url = request.url ?? '/';
    if (url.startsWith('/assets/')) {
      request.url = url.slice('/assets'.length);
      assets(request, response, next);
      return;
    }
    const pathname = url.split('?')[0];
    if (pathname !== '/' && pathname !== '/start.js') {
      next();
      return;
    }
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', contentSecurityPolicy);
    response.setHeader(
      'Content-Type',
      pathname === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
    );
    response.end(pathname === '/' ? page : start);
  };
}
