import type { ReviewProposalResponse, RoadmapEngine } from '@roadmap/core';
import { RoadmapError } from '@roadmap/core';
import type { AuthenticatedUser } from '../auth/authenticate.js';
import {
  parseBatchCancelBody,
  parseCancelBody,
  parseGenerateBody,
  parseIdempotencyKey,
  parsePauseBody,
  parseResumeBody,
  parseReviewBody,
  parseTaskListQuery,
} from '../validation/requestValidation.js';
import {
  toBatchCancelResponse,
  toCancelTaskResponse,
  toGenerateRoadmapResponse,
  toPauseTaskResponse,
  toResumeTaskResponse,
  toRetryTaskResponse,
  toReviewTaskResponse,
  toTaskListResponse,
  toTaskStatusResponse,
} from '../wire/wireFormat.js';
import { type RouteDefinition, userOf } from './routeDefinition.js';
import { header, json, param } from './routeParameters.js';

/** Routes of tasks: generate, list, read, cancel (one or many), pause, resume, review, retry (SPEC §3, §7). */
export const taskRoutes: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/roadmaps/generate',
    access: 'user',
    body: 'json',
    rateLimit: 'generate',
    summary: 'Start generating a roadmap (202 with the task); Idempotency-Key answers an earlier task again.',
    async handle(request, { engine, enforceRateLimit }) {
      const generateRequest = parseGenerateBody(await request.readJson());
      const idempotencyKey = parseIdempotencyKey(header(request, 'idempotency-key'));
      await enforceRateLimit();
      const { task, created } = await engine.generate({
        userId: userOf(request).userId,
        request: generateRequest,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      return json(202, toGenerateRoadmapResponse(task, created));
    },
  },
  {
    // Before `/roadmaps/:roadmapId`, so that `tasks` is never taken for a roadmap id.
    method: 'GET',
    path: '/roadmaps/tasks',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: "List the caller's tasks with counts per status (filter by status, page by limit and offset).",
    async handle(request, { engine }) {
      const query = parseTaskListQuery(request.query);
      const result = await engine.listTasks({
        userId: userOf(request).userId,
        limit: query.limit,
        offset: query.offset,
        ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
      });
      return json(200, toTaskListResponse(result));
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/tasks/:taskId',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'Read one task of the caller in full.',
    async handle(request, { engine }) {
      return json(200, await requireTask(engine, param(request, 'taskId'), userOf(request)));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/cancel',
    access: 'user',
    body: 'json',
    rateLimit: 'cancel',
    summary: "Cancel several of the caller's tasks, by ids or by status; foreign ids are reported not_found.",
    async handle(request, { engine, enforceRateLimit }) {
      const { selection, reason } = parseBatchCancelBody(await request.readJson());
      // One request of the cancel limit, however many tasks it names.
      await enforceRateLimit();
      const result = await engine.cancelTasks(selection, {
        userId: userOf(request).userId,
        ...(reason === undefined ? {} : { reason }),
      });
      return json(200, toBatchCancelResponse(result));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/:taskId/cancel',
    access: 'user',
    body: 'json',
    rateLimit: 'cancel',
    summary: 'Cancel a pending, processing, paused or in-review task: in-flight calls are aborted, content is kept.',
    async handle(request, { engine, enforceRateLimit }) {
      const { reason } = parseCancelBody(await request.readJson());
      const taskId = param(request, 'taskId');
      await enforceRateLimit();
      const { task, previousStatus, receipt } = await engine.cancel(taskId, {
        userId: userOf(request).userId,
        ...(reason === undefined ? {} : { reason }),
      });
      return json(200, toCancelTaskResponse(task, previousStatus, receipt));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/:taskId/pause',
    access: 'user',
    body: 'json',
    rateLimit: 'cancel',
    summary: 'Pause a task: no model call starts after the answer (in-flight ones finish unless abort_in_flight).',
    async handle(request, { engine, enforceRateLimit }) {
      const { abortInFlight } = parsePauseBody(await request.readJson());
      const taskId = param(request, 'taskId');
      await enforceRateLimit();
      const { task, previousStatus } = await engine.pause(taskId, { userId: userOf(request).userId, abortInFlight });
      return json(200, toPauseTaskResponse(task, previousStatus));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/:taskId/resume',
    access: 'user',
    body: 'json',
    rateLimit: 'retry',
    summary: 'Resume a paused task (optionally with a new budget_usd), repeating nothing stored.',
    async handle(request, { engine, enforceRateLimit }) {
      const { budgetUsd } = parseResumeBody(await request.readJson());
      const taskId = param(request, 'taskId');
      await enforceRateLimit();
      const { task } = await engine.resume(taskId, {
        userId: userOf(request).userId,
        ...(budgetUsd === undefined ? {} : { budgetUsd }),
      });
      return json(202, toResumeTaskResponse(task));
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/tasks/:taskId/review',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: 'Read the framework a task in human review proposes.',
    async handle(request, { engine }) {
      const review = await engine.getReview(param(request, 'taskId'), { userId: userOf(request).userId });
      return json(200, review satisfies ReviewProposalResponse);
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/:taskId/review',
    access: 'user',
    body: 'json',
    rateLimit: 'retry',
    summary: 'Approve a framework in review, or send feedback for another round.',
    async handle(request, { engine, enforceRateLimit }) {
      const { approved, feedback } = parseReviewBody(await request.readJson());
      const taskId = param(request, 'taskId');
      await enforceRateLimit();
      const { task } = await engine.review(taskId, { userId: userOf(request).userId, approved, feedback });
      return json(202, toReviewTaskResponse(task));
    },
  },
  {
    method: 'POST',
    path: '/roadmaps/tasks/:taskId/retry',
    access: 'user',
    body: 'none',
    rateLimit: 'retry',
    summary: 'Retry a failed, partially failed or cancelled task, keeping everything already generated.',
    async handle(request, { engine, enforceRateLimit }) {
      const taskId = param(request, 'taskId');
      await enforceRateLimit();
      const { task, itemsToRetry } = await engine.retry(taskId, { userId: userOf(request).userId });
      return json(202, toRetryTaskResponse(task, itemsToRetry));
    },
  },
  {
    method: 'GET',
    path: '/roadmaps/:taskId/status',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: "A task's status in short (the original app's path).",
    async handle(request, { engine }) {
      return json(200, toTaskStatusResponse(await requireTask(engine, param(request, 'taskId'), userOf(request))));
    },
  },
];

async function requireTask(engine: RoadmapEngine, taskId: string, user: AuthenticatedUser) {
  const task = await engine.getTask(taskId, { userId: user.userId });
  if (task === null) throw new RoadmapError('not_found', `Task ${taskId} does not exist.`);
  return task;
}
