import { type ZodType, z } from 'zod';
import type { RouteDefinition } from '../routes/routeDefinition.js';
import { pathParameterFormats } from '../validation/pathParameters.js';
import { clientMessageSchema, serverMessageSchema } from './messageSchemas.js';
import { documentationKey, isDownload, type RouteDocumentation, routeDocumentation } from './routeDocumentation.js';
import { apiErrorSchema } from './wireSchemas.js';

/** An OpenAPI 3.1 document, as JSON. */
export type OpenApiDocument = Record<string, unknown>;

export interface OpenApiDocumentOptions {
  /** Where the API is mounted, the document's server URL. Default: `/api/v1`. */
  basePath?: string;
  /** The document's `info.version`. Default: `1.0.0`. */
  version?: string;
}

/** What each error status means on this API (SPEC §3). */
const errorDescriptions: Record<number, string> = {
  400: 'the request is invalid (`errors` says where; an upload that is not a PNG, JPEG or WebP image), or the task is not in a state that allows it',
  401: 'no valid credential',
  402: "the caller's budget has nothing left",
  403: "another user's task or roadmap",
  404: 'no such task, roadmap, concept or version',
  413: 'the body is too large (JSON 64 KB, images 2 MB)',
  429: 'over a rate limit or the connection cap: `Retry-After` says when to try again',
};

const contentKinds = ['tutorial', 'resources', 'quiz'];

/** JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema, as an input or an output. */
function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The error answers a route can give, from what the table says of it. */
function errorStatuses(route: RouteDefinition, documentation: RouteDocumentation): number[] {
  const statuses = new Set<number>();
  const parameters = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
  if (parameters.length > 0 || route.body !== 'none' || documentation.query) statuses.add(400);
  if (route.access !== 'public') statuses.add(401);
  if (route.path === '/roadmaps/generate') statuses.add(402);
  if (parameters.some((name) => name === 'taskId' || name === 'roadmapId')) statuses.add(403);
  if (parameters.length > 0) statuses.add(404);
  if (route.body !== 'none') statuses.add(413);
  if (route.rateLimit !== null || route.access === 'userOrQueryToken') statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

function pathParameter(name: string): Record<string, unknown> {
  const format = (pathParameterFormats as Record<string, { pattern: RegExp; maxLength: number; description: string }>)[
    name
  ];
  const schema =
    name === 'contentType'
      ? { type: 'string', enum: contentKinds }
      : name === 'version'
        ? { type: 'integer', minimum: 1 }
        : format
          ? { type: 'string', maxLength: format.maxLength, pattern: format.pattern.source }
          : { type: 'string' };
  return {
    name,
    in: 'path',
    required: true,
    schema,
    ...(format ? { description: `must be ${format.description}` } : {}),
  };
}

function operation(route: RouteDefinition, documentation: RouteDocumentation): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [...route.path.matchAll(/:(\w+)/g)].map((match) =>
    pathParameter(match[1] as string),
  );
  for (const [name, query] of Object.entries(documentation.query ?? {})) {
    parameters.push({
      name,
      in: 'query',
      required: false,
      description: query.description,
      schema: jsonSchema(query.schema, 'input'),
    });
  }
  for (const [name, header] of Object.entries(documentation.headers ?? {})) {
    parameters.push({
      name,
      in: 'header',
      required: false,
      description: header.description,
      schema: jsonSchema(header.schema, 'input'),
    });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(documentation.responses)) {
    const content = isDownload(answer.content)
      ? {
          'text/markdown': { schema: { type: 'string', description: 'the roadmap as one Markdown document' } },
          'application/json': { schema: jsonSchema(answer.content.download.json, 'output') },
        }
      : answer.content === 'none'
        ? undefined
        : answer.content === 'image'
          ? { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } }
          : answer.content === 'event-stream'
            ? {
                'text/event-stream': {
                  schema: {
                    type: 'string',
                    description: 'frames `id: <seq>`, `event: <type>`, `data: <a ServerMessage as JSON>`',
                  },
                  'x-message-schema': { $ref: '#/components/schemas/ServerMessage' },
                },
              }
            : { 'application/json': { schema: jsonSchema(answer.content, 'output') } };
    const headers = isDownload(answer.content)
      ? {
          headers: {
            'Content-Disposition': {
              description: 'attachment, with the file name (the roadmap id and the extension of the format)',
              schema: { type: 'string' },
            },
          },
        }
      : {};
    responses[status] = { description: answer.description, ...headers, ...(content ? { content } : {}) };
  }
  for (const status of errorStatuses(route, documentation)) {
    responses[String(status)] = {
      description: errorDescriptions[status],
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const body = documentation.body;
  return {
    operationId: operationId(route),
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: body === 'image',
            content:
              body === 'image'
                ? {
                    'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
                    'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } },
                    'image/webp': { schema: { type: 'string', contentMediaType: 'image/webp' } },
                  }
                : { 'application/json': { schema: jsonSchema(body, 'input') } },
          },
        }),
    responses,
  };
}

/** `POST /roadmaps/tasks/:taskId/cancel` → `postRoadmapsTasksTaskIdCancel`. */
function operationId(route: RouteDefinition): string {
  const words = route.path
    .split(/[/:-]/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${route.method.toLowerCase()}${words.join('')}`;
}

/**
 * The OpenAPI 3.1 document of the REST API, generated from the route table (methods, paths, access, bodies, rate
 * limits, summaries) and the zod schemas of each route's inputs and answers (`routeDocumentation`) — the same
 * schemas the drift test checks real answers against. Served at `GET {basePath}/openapi.json`.
 */
export function createOpenApiDocument(
  routes: readonly RouteDefinition[],
  options: OpenApiDocumentOptions = {},
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const documentation = routeDocumentation[documentationKey(route)];
    if (!documentation) throw new Error(`No OpenAPI documentation for ${documentationKey(route)}`);
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, documentation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roadmap Kit API',
      version: options.version ?? '1.0.0',
      description:
        'Generate learning roadmaps with long-running tasks that cancel for real, resume without paying twice and ' +
        'report live progress (WebSocket at /ws and /ws/{task_id}, Server-Sent Events at /events). Errors are ' +
        '`{ detail, code, errors? }`; a client mistake is never a 500.',
    },
    servers: [{ url: options.basePath ?? '/api/v1' }],
    'x-websockets': {
      '/ws': "every event of the caller's tasks; ?token=<jwt>&since=<seq>; messages: ServerMessage, ClientMessage",
      '/ws/{task_id}': "one task's events; ?token=<jwt>&since=<seq>; messages: ServerMessage, ClientMessage",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: jsonSchema(apiErrorSchema, 'output'),
        // The live streams: the WebSocket (/ws, /ws/{task_id}) and Server-Sent Events send ServerMessage JSON.
        ServerMessage: jsonSchema(serverMessageSchema, 'output'),
        ClientMessage: jsonSchema(clientMessageSchema, 'input'),
      },
    },
  };
}
