import type { RouteDefinition } from '../routes/routeDefinition.js';
import { createOpenApiDocument, type OpenApiDocument } from './openApiDocument.js';

/**
 * `GET /openapi.json`: the API's OpenAPI 3.1 document, public like any API description. Made from `routes` and
 * itself on first request, then kept (the table never changes while a process runs).
 */
export function createOpenApiRoute(routes: readonly RouteDefinition[]): RouteDefinition {
  let document: OpenApiDocument | undefined;
  const route: RouteDefinition = {
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    body: 'none',
    rateLimit: null,
    summary: 'This API as an OpenAPI 3.1 document.',
    async handle() {
      document ??= createOpenApiDocument([...routes, route]);
      return {
        status: 200,
        json: document,
        headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
      };
    },
  };
  return route;
}
