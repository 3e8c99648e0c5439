import {
  type ConceptDetail,
  type ContentKind,
  type ItemVersionsResponse,
  type RestoreItemResponse,
  RoadmapError,
} from '@roadmap/core';
import {
  parseContentKind,
  parseRoadmapListQuery,
  parseVersion,
  regenerateFeedbackOf,
} from '../validation/requestValidation.js';
import { toRegenerateItemResponse, toRetryConceptContentResponse, toRoadmapListResponse } from '../wire/wireFormat.js';
import { type RouteDefinition, userOf } from './routeDefinition.js';
import { json, param, rawParam } from './routeParameters.js';

/** Routes of roadmaps, their concepts and each content item (SPEC §3, §7). */
export const roadmapRoutes: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/roadmaps',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: "List the caller's roadmaps, newest first, a page at a time (limit, cursor).",
    async handle(request, { engine }) {
      const query = parseRoadmapListQuery(request.query);
      const page = await engine.listRoadmaps(userOf(request).userId, {
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return json(200, toRoadmapListResponse(page.roadmaps, page.next_cursor));
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/:roadmapId',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'Read a roadmap with the status of every concept.',
    async handle(request, { engine }) {
      const roadmapId = param(request, 'roadmapId');
      const roadmap = await engine.getRoadmap(roadmapId, { userId: userOf(request).userId });
      if (roadmap === null) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
      return json(200, roadmap);
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/:roadmapId/concepts/:conceptId',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary:
      'Read a concept with its tutorial, resources and quiz (each null until generated) and any partial tutorial.',
    async handle(request, { engine }) {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const concept = await engine.getConcept(roadmapId, conceptId, { userId: userOf(request).userId });
      if (concept === null) {
        throw new RoadmapError('not_found', `Concept ${conceptId} does not exist in ${roadmapId}.`);
      }
      const { tutorial_status, resources_status, quiz_status } = concept.concept;
      const itemErrors: Record<ContentKind, string | null> = { tutorial: null, resources: null, quiz: null };
      // Why an item failed (SPEC §9: the learner sees it beside its retry); the items are read only when one did.
      if ([tutorial_status, resources_status, quiz_status].includes('failed')) {
        for (const item of await engine.storage.listItems(roadmapId, conceptId)) {
          if (item.status === 'failed') itemErrors[item.kind] = item.error;
        }
      }
      return json(200, { ...concept, item_errors: itemErrors } satisfies ConceptDetail);
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry',
    access: 'user',
    body: 'none',
    rateLimit: 'itemRetry',
    summary: 'Generate one failed content item (tutorial, resources or quiz) again.',
    async handle(request, { engine, enforceRateLimit }) {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const kind = parseContentKind(rawParam(request, 'contentType'));
      await enforceRateLimit();
      const { task } = await engine.retryItem(roadmapId, conceptId, kind, { userId: userOf(request).userId });
      return json(202, toRetryConceptContentResponse(conceptId, kind, task));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate',
    access: 'user',
    body: 'json',
    rateLimit: 'itemRetry',
    summary: 'Generate one content item again with feedback, keeping the previous version.',
    async handle(request, { engine, enforceRateLimit }) {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const feedback = regenerateFeedbackOf(await request.readJson());
      await enforceRateLimit();
      const { taskId, version } = await engine.regenerateItem(roadmapId, conceptId, kind, {
        userId: userOf(request).userId,
        feedback,
      });
      return json(202, toRegenerateItemResponse(conceptId, kind, taskId, version));
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'List the earlier versions of one content item.',
    async handle(request, { engine }) {
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const versions = await engine.listItemVersions(param(request, 'roadmapId'), param(request, 'conceptId'), kind, {
        userId: userOf(request).userId,
      });
      return json(200, { versions } satisfies ItemVersionsResponse);
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore',
    access: 'user',
    body: 'none',
    rateLimit: 'itemRetry',
    summary: 'Make an earlier version of one content item the current one.',
    async handle(request, { engine, enforceRateLimit }) {
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const version = parseVersion(rawParam(request, 'version'));
      const conceptId = param(request, 'conceptId');
      await enforceRateLimit();
      await engine.restoreItemVersion(param(request, 'roadmapId'), conceptId, kind, version, {
        userId: userOf(request).userId,
      });
      return json(200, { concept_id: conceptId, content_type: kind, version } satisfies RestoreItemResponse);
    },
  },
];
