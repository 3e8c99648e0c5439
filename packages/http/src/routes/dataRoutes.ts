import { RoadmapError, type RoadmapExportFormat } from '@roadmap/core';
import { type RouteDefinition, type RouteRequest, userOf } from './routeDefinition.js';
import { json, param } from './routeParameters.js';

/** Formats of `GET /roadmaps/{id}/export`, and the one given without `format`. */
const exportFormats: readonly RoadmapExportFormat[] = ['md', 'json'];
const defaultExportFormat: RoadmapExportFormat = 'md';

/** The `format` query parameter: `md` or `json` (default `md`); anything else is a 400 naming it. */
function exportFormatOf(request: RouteRequest): RoadmapExportFormat {
  const value = request.query.format;
  if (value === undefined) return defaultExportFormat;
  if (typeof value === 'string' && (exportFormats as readonly string[]).includes(value)) {
    return value as RoadmapExportFormat;
  }
  throw new RoadmapError('invalid_input', `format is one of ${exportFormats.join(', ')}.`, {
    errors: [{ path: 'format', message: `Expected one of ${exportFormats.join(', ')}` }],
  });
}

/** A `Content-Disposition` naming `filename` (quotes and backslashes escaped, other bytes as RFC 5987 UTF-8). */
function attachment(filename: string): string {
  const plain = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Routes of the data lifecycle (SPEC §9): delete a task with everything of it, download a roadmap as one document,
 * download or erase everything of the caller.
 */
export const dataRoutes: readonly RouteDefinition[] = [
  {
    method: 'DELETE',
    path: '/roadmaps/tasks/:taskId',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary:
      'Delete a task with its roadmap, content, checkpoints, events and cover (an active task is cancelled first); ' +
      'one `deleted` event on the user stream.',
    async handle(request, { engine }) {
      // Not tied to the request's signal: a delete the server accepted finishes even if the client goes away.
      await engine.deleteTask(userOf(request).userId, param(request, 'taskId'));
      return { status: 204, body: null, headers: {} };
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/:roadmapId/export',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'Download a roadmap with every generated item as one Markdown document (format=md, the default) or JSON.',
    async handle(request, { engine }) {
      const roadmapId = param(request, 'roadmapId');
      const format = exportFormatOf(request);
      const document = await engine.exportRoadmap(roadmapId, { userId: userOf(request).userId, format });
      return {
        status: 200,
        body: new TextEncoder().encode(document.body),
        headers: {
          'Content-Type': document.contentType,
          'Content-Disposition': attachment(document.filename),
          'Cache-Control': 'no-store',
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/me/export',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'Everything stored for the caller as JSON: tasks, roadmaps with their content, covers, usage.',
    async handle(request, { engine }) {
      return json(200, await engine.exportUser(userOf(request).userId));
    },
  },
  {
    method: 'DELETE',
    path: '/me',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary:
      'Erase every task, roadmap, item, event, cover and image of the caller; idempotent (a repeat deletes nothing).',
    async handle(request, { engine }) {
      return json(202, { deleted: await engine.deleteUser(userOf(request).userId) });
    },
  },
];
