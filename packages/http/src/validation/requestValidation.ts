import {
  type BatchCancelSelection,
  type ContentKind,
  contentKindSchema,
  type GenerateRequest,
  generateRequestSchema,
  type TaskStatus,
  taskStatuses,
  taskStatusSchema,
} from '@roadmap/core';
import { maxBatchCancelIds, maxCoverBatchSize } from '@roadmap/core/internal';
import { invalidInput } from '../errors/httpError.js';
import { isValidPathParameter } from './pathParameters.js';

/** Longest roadmap id accepted in a batch. */
const maxRoadmapIdLength = 200;
/** Longest cancel reason. */
const maxReasonLength = 500;

/**
 * The body of `POST /roadmaps/generate`, validated and defaulted with core's `generateRequestSchema`. Unknown keys
 * (`user_id`, `__proto__`, …) are dropped: the result is a fresh object holding only known fields.
 */
export function parseGenerateBody(body: unknown): GenerateRequest {
  const parsed = generateRequestSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw invalidInput(
    'The roadmap request is invalid.',
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** The optional `Idempotency-Key` header: 1–200 characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > 200) {
    throw invalidInput('The Idempotency-Key header has 1 to 200 characters.', [
      { path: 'Idempotency-Key', message: 'must have 1 to 200 characters' },
    ]);
  }
  return header;
}

export interface TaskListQuery {
  /** `undefined`: every status. */
  statuses: TaskStatus[] | undefined;
  limit: number;
  offset: number;
}

/**
 * `?status=&limit=&offset=` of `GET /roadmaps/tasks`. `status` is one task status, several separated by commas
 * (`failed,partial_failure`) or repeated; empty means all. `limit` 1–100 (default 50), `offset` ≥ 0 (default 0).
 */
export function parseTaskListQuery(query: Record<string, unknown>): TaskListQuery {
  const problems: Array<{ path: string; message: string }> = [];
  let statuses: TaskStatus[] | undefined;
  const status = query.status;
  if (status !== undefined) {
    const values = (Array.isArray(status) ? status : [status]).flatMap((value) =>
      typeof value === 'string' ? value.split(',') : [null],
    );
    const chosen = values.filter((value) => value !== '');
    if (chosen.some((value) => value === null || !taskStatusSchema.safeParse(value).success)) {
      problems.push({ path: 'status', message: `must be one or more of ${taskStatuses.join(', ')}` });
    } else if (chosen.length > 0) {
      statuses = [...new Set(chosen as TaskStatus[])];
    }
  }
  const limit = parseWholeNumber(query.limit, 50, 1, 100);
  if (limit === null) problems.push({ path: 'limit', message: 'must be a whole number from 1 to 100' });
  const offset = parseWholeNumber(query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  if (offset === null) problems.push({ path: 'offset', message: 'must be a whole number ≥ 0' });
  if (problems.length > 0 || limit === null || offset === null) {
    throw invalidInput('The query parameters are invalid.', problems);
  }
  return { statuses, limit, offset };
}

export interface RoadmapListQuery {
  limit: number;
  /** `undefined`: the first page. Its content is checked by the engine (a malformed cursor is a 400 there too). */
  cursor: string | undefined;
}

/** Longest `cursor` accepted on `GET /roadmaps`. */
const maxCursorLength = 512;

/** `?limit=&cursor=` of `GET /roadmaps`: `limit` 1–100 (default 50), `cursor` a `next_cursor` of an earlier page. */
export function parseRoadmapListQuery(query: Record<string, unknown>): RoadmapListQuery {
  const problems: Array<{ path: string; message: string }> = [];
  const limit = parseWholeNumber(query.limit, 50, 1, 100);
  if (limit === null) problems.push({ path: 'limit', message: 'must be a whole number from 1 to 100' });
  const cursor = query.cursor;
  const validCursor =
    cursor === undefined || (typeof cursor === 'string' && cursor.length > 0 && cursor.length <= maxCursorLength);
  if (!validCursor) problems.push({ path: 'cursor', message: 'must be a next_cursor of an earlier page' });
  if (problems.length > 0 || limit === null) throw invalidInput('The query parameters are invalid.', problems);
  return { limit, cursor: cursor as string | undefined };
}

function parseWholeNumber(value: unknown, fallback: number, minimum: number, maximum: number): number | null {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return null;
  const number = Number(value);
  return number >= minimum && number <= maximum ? number : null;
}

/** `{ roadmap_ids: string[1..100] }` of the batch cover routes; each id 1–200 characters. */
export function parseRoadmapIds(body: unknown): string[] {
  const roadmapIds = isPlainObject(body) ? body.roadmap_ids : undefined;
  if (!Array.isArray(roadmapIds) || roadmapIds.length < 1 || roadmapIds.length > maxCoverBatchSize) {
    throw invalidInput(`roadmap_ids lists 1 to ${maxCoverBatchSize} roadmap ids.`, [
      { path: 'roadmap_ids', message: `must be an array of 1 to ${maxCoverBatchSize} roadmap ids` },
    ]);
  }
  const problems = roadmapIds.flatMap((id, index) =>
    typeof id === 'string' && id.length > 0 && id.length <= maxRoadmapIdLength
      ? []
      : [{ path: `roadmap_ids.${index}`, message: `must be a string of 1 to ${maxRoadmapIdLength} characters` }],
  );
  if (problems.length > 0) throw invalidInput('roadmap_ids holds invalid ids.', problems.slice(0, 10));
  return [...(roadmapIds as string[])];
}

/**
 * Splits batch roadmap ids into those a roadmap can have (the `roadmapId` path format) and the rest (a NUL, another
 * shape), which are unknown by construction: answered `not_found` without reaching storage. Order is kept.
 */
export function partitionRoadmapIds(roadmapIds: readonly string[]): { wellFormed: string[]; malformed: string[] } {
  const wellFormed: string[] = [];
  const malformed: string[] = [];
  for (const roadmapId of roadmapIds) {
    (isValidPathParameter('roadmapId', roadmapId) ? wellFormed : malformed).push(roadmapId);
  }
  return { wellFormed, malformed };
}

/** The optional `{ reason? }` body of a cancel: a string of at most 500 characters. */
export function parseCancelBody(body: unknown): { reason?: string } {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) {
    throw invalidInput('The cancel request is invalid.', [{ path: '', message: 'must be an object' }]);
  }
  const reason = body.reason;
  if (reason === undefined || reason === null) return {};
  if (typeof reason !== 'string' || reason.length > maxReasonLength) {
    throw invalidInput('The cancel request is invalid.', [
      { path: 'reason', message: `must be a string of at most ${maxReasonLength} characters` },
    ]);
  }
  return { reason };
}

/** The body of `POST /roadmaps/tasks/{task_id}/pause` (SPEC §7): `{ abort_in_flight?: boolean }`, or none. */
export function parsePauseBody(body: unknown): { abortInFlight: boolean } {
  if (body === undefined || body === null) return { abortInFlight: false };
  if (!isPlainObject(body)) {
    throw invalidInput('The pause request is invalid.', [{ path: '', message: 'must be an object' }]);
  }
  const abort = body.abort_in_flight;
  if (abort === undefined || abort === null) return { abortInFlight: false };
  if (typeof abort !== 'boolean') {
    throw invalidInput('The pause request is invalid.', [{ path: 'abort_in_flight', message: 'must be a boolean' }]);
  }
  return { abortInFlight: abort };
}

/**
 * The body of `POST /roadmaps/tasks/{task_id}/resume`: none, or `{ budget_usd?: number }` — the task's new budget,
 * set with the resume (how a task paused on budget is given more; the engine checks the amount).
 */
export function parseResumeBody(body: unknown): { budgetUsd?: number } {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) {
    throw invalidInput('The resume request is invalid.', [{ path: '', message: 'must be an object' }]);
  }
  const budget = body.budget_usd;
  if (budget === undefined || budget === null) return {};
  if (typeof budget !== 'number') {
    throw invalidInput('The resume request is invalid.', [{ path: 'budget_usd', message: 'must be a number' }]);
  }
  return { budgetUsd: budget };
}

/**
 * The feedback of `POST …/{kind}/regenerate` (SPEC §7, `{ feedback: string (1..2000) }`), or `''` when the body has
 * none: the engine checks it after ownership (so another user's item answers 403 whatever the body).
 */
export function regenerateFeedbackOf(body: unknown): string {
  return isPlainObject(body) && typeof body.feedback === 'string' ? body.feedback : '';
}

/** A `{version}` path parameter: a whole number from 1. */
export function parseVersion(value: string): number {
  const version = /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(version)) {
    throw invalidInput('The version is invalid.', [{ path: 'version', message: 'must be a whole number from 1' }]);
  }
  return version;
}

/** Longest review feedback (SPEC §7). */
const maxFeedbackLength = 2000;

/**
 * The body of `POST /roadmaps/tasks/{task_id}/review` (SPEC §7): `{ approved: boolean, feedback?: string (≤ 2000) }`;
 * feedback is required (non-blank) when not approved.
 */
export function parseReviewBody(body: unknown): { approved: boolean; feedback: string | null } {
  const invalid = (path: string, message: string) => invalidInput('The review is invalid.', [{ path, message }]);
  if (!isPlainObject(body)) throw invalid('', 'must be an object with approved');
  if (typeof body.approved !== 'boolean') throw invalid('approved', 'must be a boolean');
  const feedback = body.feedback;
  if (
    feedback !== undefined &&
    feedback !== null &&
    (typeof feedback !== 'string' || feedback.length > maxFeedbackLength)
  ) {
    throw invalid('feedback', `must be a string of at most ${maxFeedbackLength} characters`);
  }
  const text = typeof feedback === 'string' && feedback.trim() !== '' ? feedback : null;
  if (!body.approved && text === null) throw invalid('feedback', 'say what to change when not approving');
  return { approved: body.approved, feedback: text };
}

/** Longest task id a batch cancel accepts (longer ones cannot exist). */
const maxTaskIdLength = 200;

/**
 * The body of `POST /roadmaps/tasks/cancel` (SPEC §7): `{ task_ids: string[1..100], reason? }` or `{ status:
 * "pending" | "processing" | "active", reason? }`, exactly one of the two selections.
 */
export function parseBatchCancelBody(body: unknown): { selection: BatchCancelSelection; reason?: string } {
  const invalid = (path: string, message: string) =>
    invalidInput('The batch cancel request is invalid.', [{ path, message }]);
  if (!isPlainObject(body)) throw invalid('', 'must be an object with task_ids or status');
  const { reason } = parseCancelBody({ reason: body.reason });
  const withReason = reason === undefined ? {} : { reason };
  const hasIds = body.task_ids !== undefined;
  const hasStatus = body.status !== undefined;
  if (hasIds === hasStatus) throw invalid('', 'must have exactly one of task_ids and status');
  if (hasStatus) {
    const status = body.status;
    if (status !== 'pending' && status !== 'processing' && status !== 'active') {
      throw invalid('status', 'must be pending, processing or active');
    }
    return { selection: { status }, ...withReason };
  }
  const taskIds = body.task_ids;
  if (!Array.isArray(taskIds) || taskIds.length === 0 || taskIds.length > maxBatchCancelIds) {
    throw invalid('task_ids', `must be an array of 1 to ${maxBatchCancelIds} task ids`);
  }
  taskIds.forEach((taskId, index) => {
    if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > maxTaskIdLength) {
      throw invalid(`task_ids.${index}`, `must be a string of 1 to ${maxTaskIdLength} characters`);
    }
  });
  return { selection: { taskIds: taskIds as string[] }, ...withReason };
}

/** The `{tutorial|resources|quiz}` segment of an item retry. */
export function parseContentKind(value: string): ContentKind {
  const parsed = contentKindSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidInput('The content type is invalid.', [
    { path: 'content_type', message: 'must be tutorial, resources or quiz' },
  ]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where an event stream resumes (SPEC §8): the `Last-Event-ID` header when there is one — an `EventSource` sends it
 * when it reconnects, and it is newer than the `since` it was first opened with, which stays in its URL — else
 * `?since=`. A whole number ≥ 0; absent or empty: from the log's head. Anything else is a 400 naming the source.
 */
export function parseEventStreamSince(
  query: Record<string, unknown>,
  lastEventId: string | undefined,
): number | undefined {
  const [path, value] =
    lastEventId !== undefined && lastEventId.trim() !== ''
      ? ['Last-Event-ID', lastEventId.trim()]
      : ['since', query.since];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw invalidInput(`${path} is invalid.`, [{ path, message: 'must be a whole number ≥ 0 (an event seq)' }]);
  }
  return Number(value);
}
