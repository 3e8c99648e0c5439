import type { ZodType } from 'zod';
import { z } from 'zod';
import * as wire from './wireSchemas.js';

/**
 * What a successful answer carries: JSON of a schema, image bytes, an event stream, nothing, or a file to download
 * (`Content-Disposition: attachment`) as Markdown or as JSON of a schema.
 */
export type DocumentedContent = ZodType | 'image' | 'event-stream' | 'none' | DownloadContent;

/** A file to download: Markdown (`text/markdown`) or JSON of `json`, as the request's `format` asks. */
export interface DownloadContent {
  download: { json: ZodType };
}

/** Whether documented content is a {@link DownloadContent}. */
export function isDownload(content: DocumentedContent): content is DownloadContent {
  return typeof content === 'object' && 'download' in content;
}

/** The parts of a route the route table does not say: its inputs and its successful answers, as schemas. */
export interface RouteDocumentation {
  /** The JSON body's schema, or `image` for raw image bytes. */
  body?: ZodType | 'image';
  /** Query parameters by name. */
  query?: Record<string, { schema: ZodType; description: string }>;
  /** Request headers the route reads, by name. */
  headers?: Record<string, { schema: ZodType; description: string }>;
  /** Successful answers by status. */
  responses: Record<number, { description: string; content: DocumentedContent }>;
}

const limit = (maximum: number) => ({ schema: z.number().int().min(1).max(maximum), description: 'page size' });
const since = {
  schema: z.number().int().min(0),
  description: 'replay every retained event after this seq first (Last-Event-ID does the same)',
};

/**
 * Inputs and answers of every route of the table, by `METHOD path` (the path as in the route table). The drift test
 * fails when a route of the table has no entry here, when an entry names no route, or when a real answer does not
 * match what its entry says.
 */
export const routeDocumentation: Readonly<Record<string, RouteDocumentation>> = {
  'POST /roadmaps/generate': {
    body: wire.generateRoadmapBodySchema,
    headers: {
      'Idempotency-Key': {
        schema: z.string().min(1).max(200),
        description: 'the same key answers the task it created the first time',
      },
    },
    responses: { 202: { description: 'the task, queued', content: wire.generateRoadmapResponseSchema } },
  },
  'GET /roadmaps/tasks': {
    query: {
      status: { schema: z.string(), description: 'one status, several separated by commas, or empty for all' },
      limit: limit(100),
      offset: { schema: z.number().int().min(0), description: 'tasks to skip' },
    },
    responses: { 200: { description: "the caller's tasks, newest first", content: wire.taskListResponseSchema } },
  },
  'GET /roadmaps/tasks/:taskId': {
    responses: { 200: { description: 'the task', content: wire.taskSchema } },
  },
  'DELETE /roadmaps/tasks/:taskId': {
    responses: { 204: { description: 'deleted with everything stored for it', content: 'none' } },
  },
  'GET /roadmaps/:roadmapId/export': {
    query: {
      format: { schema: z.enum(['md', 'json']), description: 'md (Markdown, the default) or json' },
    },
    responses: {
      200: {
        description: 'the roadmap with every generated item',
        content: { download: { json: wire.roadmapExportSchema } },
      },
    },
  },
  'GET /me/export': {
    responses: { 200: { description: 'everything stored for the caller', content: wire.userExportSchema } },
  },
  'DELETE /me': {
    responses: { 202: { description: 'everything of the caller is erased', content: wire.deleteMeResponseSchema } },
  },
  'POST /roadmaps/tasks/cancel': {
    body: wire.batchCancelBodySchema,
    responses: { 200: { description: 'what was cancelled', content: wire.batchCancelResponseSchema } },
  },
  'POST /roadmaps/tasks/:taskId/cancel': {
    body: wire.cancelTaskBodySchema,
    responses: {
      200: { description: 'cancelled, with the receipt', content: wire.cancelTaskResponseSchema },
    },
  },
  'POST /roadmaps/tasks/:taskId/pause': {
    body: wire.pauseTaskBodySchema,
    responses: { 200: { description: 'paused', content: wire.pauseTaskResponseSchema } },
  },
  'POST /roadmaps/tasks/:taskId/resume': {
    body: wire.resumeTaskBodySchema,
    responses: { 202: { description: 'queued again', content: wire.resumeTaskResponseSchema } },
  },
  'GET /roadmaps/tasks/:taskId/review': {
    responses: { 200: { description: 'the framework to review', content: wire.reviewProposalResponseSchema } },
  },
  'POST /roadmaps/tasks/:taskId/review': {
    body: wire.reviewTaskBodySchema,
    responses: { 202: { description: 'the review is taken', content: wire.reviewTaskResponseSchema } },
  },
  'POST /roadmaps/tasks/:taskId/retry': {
    responses: { 202: { description: 'queued again', content: wire.retryTaskResponseSchema } },
  },
  'GET /roadmaps/:taskId/status': {
    responses: { 200: { description: "the task's status", content: wire.taskStatusResponseSchema } },
  },
  'POST /roadmaps/estimate': {
    body: wire.generateRoadmapBodySchema,
    responses: { 200: { description: 'the expected use, no model called', content: wire.estimateResponseSchema } },
  },
  'GET /usage': {
    responses: { 200: { description: "the budget period's use", content: wire.usageResponseSchema } },
  },
  'GET /roadmaps': {
    query: { limit: limit(100), cursor: { schema: z.string(), description: 'next_cursor of the previous page' } },
    responses: {
      200: { description: "the caller's roadmaps, newest first", content: wire.roadmapListResponseSchema },
    },
  },
  'GET /roadmaps/:roadmapId': {
    responses: { 200: { description: 'the roadmap with concept statuses', content: wire.roadmapResponseSchema } },
  },
  'GET /roadmaps/:roadmapId/concepts/:conceptId': {
    responses: { 200: { description: "the concept's items", content: wire.conceptDetailSchema } },
  },
  'POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry': {
    responses: { 202: { description: 'the item is queued', content: wire.retryConceptContentResponseSchema } },
  },
  'POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate': {
    body: wire.regenerateItemBodySchema,
    responses: { 202: { description: 'a new version is queued', content: wire.regenerateItemResponseSchema } },
  },
  'GET /roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions': {
    responses: { 200: { description: "the item's versions", content: wire.itemVersionsResponseSchema } },
  },
  'POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore': {
    responses: { 200: { description: 'the version is current again', content: wire.restoreItemResponseSchema } },
  },
  'GET /roadmap/:roadmapId/cover-image': {
    responses: { 200: { description: 'the cover', content: wire.coverResponseSchema } },
  },
  'POST /roadmap/:roadmapId/cover-image/generate': {
    responses: { 202: { description: 'the cover, pending or generating', content: wire.coverResponseSchema } },
  },
  'PUT /roadmap/:roadmapId/cover-image': {
    body: 'image',
    responses: { 200: { description: 'the cover, success', content: wire.coverResponseSchema } },
  },
  'POST /cover-images/batch-get': {
    body: wire.roadmapIdsBodySchema,
    responses: { 200: { description: 'covers in request order', content: wire.batchCoversResponseSchema } },
  },
  'POST /cover-images/batch-generate': {
    body: wire.roadmapIdsBodySchema,
    responses: { 200: { description: 'what was triggered', content: wire.batchGenerateCoversResponseSchema } },
  },
  'GET /cover-images/:file': {
    responses: { 200: { description: 'the image bytes', content: 'image' } },
  },
  'GET /events': {
    query: { since, token: { schema: z.string(), description: 'the JWT, for EventSource (no headers)' } },
    responses: { 200: { description: "every event of the caller's tasks", content: 'event-stream' } },
  },
  'GET /roadmaps/tasks/:taskId/events': {
    query: { since, token: { schema: z.string(), description: 'the JWT, for EventSource (no headers)' } },
    responses: { 200: { description: "the task's events", content: 'event-stream' } },
  },
  'GET /openapi.json': {
    responses: { 200: { description: 'this document', content: z.record(z.string(), z.unknown()) } },
  },
};

/** The key of a route in {@link routeDocumentation}. */
export function documentationKey(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}
