import {
  type ApiErrorBody,
  type BatchCover,
  type BatchGenerateCoversResponse,
  type ItemVersionsResponse,
  type RestoreItemResponse,
  type ReviewProposalResponse,
  type RoadmapEngine,
  RoadmapError,
} from '@roadmap/core';
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Authenticate, AuthenticatedUser } from './authenticate.js';
import { createErrorHandler, HttpError } from './httpErrors.js';
import { type PathParameterName, parsePathParameter } from './pathParameters.js';
import {
  createMemoryRateLimitStore,
  defaultRateLimits,
  enforceRateLimit,
  type RateLimit,
  type RateLimitStore,
  type RouterRateLimits,
} from './rateLimit.js';
import {
  parseBatchCancelBody,
  parseCancelBody,
  parseContentKind,
  parseGenerateBody,
  parseIdempotencyKey,
  parsePauseBody,
  parseResumeBody,
  parseReviewBody,
  parseRoadmapIds,
  parseRoadmapListQuery,
  parseTaskListQuery,
  parseVersion,
  partitionRoadmapIds,
  regenerateFeedbackOf,
} from './requestValidation.js';
import {
  toBatchCancelResponse,
  toCancelTaskResponse,
  toGenerateRoadmapResponse,
  toPauseTaskResponse,
  toRegenerateItemResponse,
  toResumeTaskResponse,
  toRetryConceptContentResponse,
  toRetryTaskResponse,
  toReviewTaskResponse,
  toRoadmapListResponse,
  toTaskListResponse,
  toTaskStatusResponse,
} from './wireFormat.js';

export interface RoadmapRouterOptions {
  /**
   * Who is calling: resolves the user from the request's headers (`Authorization: Bearer <jwt>`), `null` for a
   * missing or invalid credential (answered 401). The owner of everything is always this user, never a field of
   * the body or query. Required; see `createJwtAuthenticator`.
   */
  authenticate: Authenticate;
  /**
   * Per-user rate limits of the routes that start work: generate, cover generation, cancel, retry, item retry and
   * cover upload (see `RouterRateLimits` for each default). Each bucket can be set on its own; the others keep
   * their defaults. A request over its limit is answered 429 with `Retry-After` before any work is done.
   */
  rateLimits?: Partial<RouterRateLimits>;
  /** Where rate-limit counts live. Default: in this process's memory (`createMemoryRateLimitStore`). */
  rateLimitStore?: RateLimitStore;
  /** Largest JSON body, in bytes or as a size string (`'64kb'`); bigger ones get 413. Default: `'64kb'`. */
  jsonBodyLimit?: string | number;
  /** Security headers set by helmet; `false` leaves them to the host app. Default: helmet's defaults (`{}`). */
  helmet?: HelmetOptions | false;
  /** Receives every error answered with 500 (the client only sees a generic detail). Default: `console.error`. */
  onError?: (error: unknown, request: Request) => void;
  /** Current time in milliseconds, for rate-limit windows and `Retry-After`. Default: `Date.now`. */
  now?: () => number;
}

/** Default per-user limit of roadmap generation. */
export const defaultGenerateRateLimit: RateLimit = defaultRateLimits.generate;
/** Default per-user limit of cover generation. */
export const defaultCoverGenerationRateLimit: RateLimit = defaultRateLimits.coverGeneration;

/** Largest uploaded cover image (as `engine.covers.upload` accepts). */
const coverUploadLimit = '2mb';
const coverUploadTypes = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'];
/** Images are stored under random keys and never change: they may be cached for a year. */
const imageCacheControl = 'public, max-age=31536000, immutable';
/** Types served as themselves; SVG is only ever the offline provider's artwork (uploads are raster only). */
const servableImageTypes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml']);
/** No script, style sheet, font or fetch from an image, even an SVG opened on its own; a sandbox besides. */
const imageContentSecurityPolicy = "default-src 'none'; sandbox";

type UserHandler = (request: Request, response: Response, user: AuthenticatedUser) => Promise<void>;

/**
 * The REST API of SPEC §3 as an Express router, to mount at `/api/v1`. Every route except the public
 * `GET /cover-images/{file}` requires a user (`authenticate`); routes that are not its own fall through untouched.
 *
 * @example
 * const app = express();
 * app.use(createHealthRouter(engine));
 * app.use('/api/v1', createRoadmapRouter(engine, {
 *   authenticate: createJwtAuthenticator({ secret: process.env.ROADMAP_JWT_SECRET ?? '' }),
 * }));
 */
export function createRoadmapRouter(engine: RoadmapEngine, options: RoadmapRouterOptions): Router {
  const now = options.now ?? Date.now;
  const rateLimitStore = options.rateLimitStore ?? createMemoryRateLimitStore({ now });
  const rateLimits: RouterRateLimits = { ...defaultRateLimits, ...options.rateLimits };
  const onError = options.onError ?? ((error: unknown) => console.error('[roadmap/express]', error));
  const json = express.json({ limit: options.jsonBodyLimit ?? '64kb', strict: true });
  const rawImage = express.raw({ type: coverUploadTypes, limit: coverUploadLimit });

  const requireUser: RequestHandler = async (request, response, next) => {
    const user = await options.authenticate({ headers: request.headers });
    if (user === null || typeof user.userId !== 'string' || user.userId.length === 0) {
      const hasCredential = request.headers.authorization !== undefined;
      response.setHeader('WWW-Authenticate', hasCredential ? 'Bearer error="invalid_token"' : 'Bearer');
      response
        .status(401)
        .json({ detail: 'A valid bearer token is required.', code: 'unauthorized' } satisfies ApiErrorBody);
      return;
    }
    response.locals.roadmapUser = { userId: user.userId } satisfies AuthenticatedUser;
    next();
  };
  const handle =
    (handler: UserHandler): RequestHandler =>
    (request, response) =>
      handler(request, response, response.locals.roadmapUser as AuthenticatedUser);
  const limit = (bucket: string, rateLimit: RateLimit) => (user: AuthenticatedUser) =>
    enforceRateLimit(rateLimitStore, bucket, user.userId, rateLimit, now);
  const limitGenerate = limit('generate', rateLimits.generate);
  const limitCovers = limit('cover-generation', rateLimits.coverGeneration);
  const limitCancel = limit('cancel', rateLimits.cancel);
  const limitRetry = limit('retry', rateLimits.retry);
  const limitItemRetry = limit('item-retry', rateLimits.itemRetry);
  const limitCoverUpload = limit('cover-upload', rateLimits.coverUpload);

  const router = Router();
  if (options.helmet !== false) router.use(helmet(options.helmet ?? {}));

  // Public: cover images are shown in <img> tags, which send no Authorization header.
  router.get('/cover-images/:file', async (request, response) => {
    const blob = await readBlob(engine, param(request, 'file'));
    if (blob === null) throw new RoadmapError('not_found', 'No such image.');
    const contentType = servableImageTypes.has(blob.contentType) ? blob.contentType : 'application/octet-stream';
    response.setHeader('Content-Type', contentType);
    response.setHeader('Cache-Control', imageCacheControl);
    response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', imageContentSecurityPolicy);
    response.status(200).end(Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength));
  });

  router.post(
    '/roadmaps/generate',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const generateRequest = parseGenerateBody(request.body);
      const idempotencyKey = parseIdempotencyKey(request.get('Idempotency-Key'));
      await limitGenerate(user);
      const { task, created } = await engine.generate({
        userId: user.userId,
        request: generateRequest,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      response.status(202).json(toGenerateRoadmapResponse(task, created));
    }),
  );

  // Before `/roadmaps/:roadmapId`, so that `tasks` is never taken for a roadmap id.
  router.get(
    '/roadmaps/tasks',
    requireUser,
    handle(async (request, response, user) => {
      const query = parseTaskListQuery(request.query as Record<string, unknown>);
      const result = await engine.listTasks({
        userId: user.userId,
        limit: query.limit,
        offset: query.offset,
        ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
      });
      response.status(200).json(toTaskListResponse(result));
    }),
  );

  router.get(
    '/roadmaps/tasks/:taskId',
    requireUser,
    handle(async (request, response, user) => {
      response.status(200).json(await requireTask(engine, param(request, 'taskId'), user));
    }),
  );

  router.post(
    '/roadmaps/tasks/cancel',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const { selection, reason } = parseBatchCancelBody(request.body);
      // One request of the cancel limit, however many tasks it names.
      await limitCancel(user);
      const result = await engine.cancelTasks(selection, {
        userId: user.userId,
        ...(reason === undefined ? {} : { reason }),
      });
      response.status(200).json(toBatchCancelResponse(result));
    }),
  );

  router.post(
    '/roadmaps/tasks/:taskId/cancel',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const { reason } = parseCancelBody(request.body);
      const taskId = param(request, 'taskId');
      await limitCancel(user);
      const { task, previousStatus, receipt } = await engine.cancel(taskId, {
        userId: user.userId,
        ...(reason === undefined ? {} : { reason }),
      });
      response.status(200).json(toCancelTaskResponse(task, previousStatus, receipt));
    }),
  );

  router.post(
    '/roadmaps/tasks/:taskId/pause',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const { abortInFlight } = parsePauseBody(request.body);
      const taskId = param(request, 'taskId');
      await limitCancel(user);
      const { task, previousStatus } = await engine.pause(taskId, { userId: user.userId, abortInFlight });
      response.status(200).json(toPauseTaskResponse(task, previousStatus));
    }),
  );

  router.post(
    '/roadmaps/tasks/:taskId/resume',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const { budgetUsd } = parseResumeBody(request.body);
      const taskId = param(request, 'taskId');
      await limitRetry(user);
      const { task } = await engine.resume(taskId, {
        userId: user.userId,
        ...(budgetUsd === undefined ? {} : { budgetUsd }),
      });
      response.status(202).json(toResumeTaskResponse(task));
    }),
  );

  router.get(
    '/roadmaps/tasks/:taskId/review',
    requireUser,
    handle(async (request, response, user) => {
      const review = await engine.getReview(param(request, 'taskId'), { userId: user.userId });
      response.status(200).json(review satisfies ReviewProposalResponse);
    }),
  );

  router.post(
    '/roadmaps/tasks/:taskId/review',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const { approved, feedback } = parseReviewBody(request.body);
      const taskId = param(request, 'taskId');
      await limitRetry(user);
      const { task } = await engine.review(taskId, { userId: user.userId, approved, feedback });
      response.status(202).json(toReviewTaskResponse(task));
    }),
  );

  router.post(
    '/roadmaps/tasks/:taskId/retry',
    requireUser,
    handle(async (request, response, user) => {
      const taskId = param(request, 'taskId');
      await limitRetry(user);
      const { task, itemsToRetry } = await engine.retry(taskId, { userId: user.userId });
      response.status(202).json(toRetryTaskResponse(task, itemsToRetry));
    }),
  );

  // SPEC §7: what a generation would use, predicted without a model call (the body of `generate`).
  router.post(
    '/roadmaps/estimate',
    requireUser,
    json,
    handle(async (request, response) => {
      response.status(200).json(engine.estimate(parseGenerateBody(request.body)));
    }),
  );

  // SPEC §7: what the caller's tasks of the current budget period used, and its budget.
  router.get(
    '/usage',
    requireUser,
    handle(async (_request, response, user) => {
      response.status(200).json(await engine.getUserUsage(user.userId));
    }),
  );

  router.get(
    '/roadmaps',
    requireUser,
    handle(async (request, response, user) => {
      const query = parseRoadmapListQuery(request.query as Record<string, unknown>);
      const page = await engine.listRoadmaps(user.userId, {
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      response.status(200).json(toRoadmapListResponse(page.roadmaps, page.next_cursor));
    }),
  );

  router.get(
    '/roadmaps/:taskId/status',
    requireUser,
    handle(async (request, response, user) => {
      response.status(200).json(toTaskStatusResponse(await requireTask(engine, param(request, 'taskId'), user)));
    }),
  );

  router.get(
    '/roadmaps/:roadmapId',
    requireUser,
    handle(async (request, response, user) => {
      const roadmapId = param(request, 'roadmapId');
      const roadmap = await engine.getRoadmap(roadmapId, { userId: user.userId });
      if (roadmap === null) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
      response.status(200).json(roadmap);
    }),
  );

  router.get(
    '/roadmaps/:roadmapId/concepts/:conceptId',
    requireUser,
    handle(async (request, response, user) => {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const concept = await engine.getConcept(roadmapId, conceptId, { userId: user.userId });
      if (concept === null) {
        throw new RoadmapError('not_found', `Concept ${conceptId} does not exist in ${roadmapId}.`);
      }
      response.status(200).json(concept);
    }),
  );

  router.post(
    '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry',
    requireUser,
    handle(async (request, response, user) => {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const kind = parseContentKind(rawParam(request, 'contentType'));
      await limitItemRetry(user);
      const { task } = await engine.retryItem(roadmapId, conceptId, kind, { userId: user.userId });
      response.status(202).json(toRetryConceptContentResponse(conceptId, kind, task));
    }),
  );

  router.post(
    '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const roadmapId = param(request, 'roadmapId');
      const conceptId = param(request, 'conceptId');
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const feedback = regenerateFeedbackOf(request.body);
      await limitItemRetry(user);
      const { taskId, version } = await engine.regenerateItem(roadmapId, conceptId, kind, {
        userId: user.userId,
        feedback,
      });
      response.status(202).json(toRegenerateItemResponse(conceptId, kind, taskId, version));
    }),
  );

  router.get(
    '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions',
    requireUser,
    handle(async (request, response, user) => {
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const versions = await engine.listItemVersions(param(request, 'roadmapId'), param(request, 'conceptId'), kind, {
        userId: user.userId,
      });
      response.status(200).json({ versions } satisfies ItemVersionsResponse);
    }),
  );

  router.post(
    '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore',
    requireUser,
    handle(async (request, response, user) => {
      const kind = parseContentKind(rawParam(request, 'contentType'));
      const version = parseVersion(rawParam(request, 'version'));
      const conceptId = param(request, 'conceptId');
      await limitItemRetry(user);
      await engine.restoreItemVersion(param(request, 'roadmapId'), conceptId, kind, version, { userId: user.userId });
      response.status(200).json({ concept_id: conceptId, content_type: kind, version } satisfies RestoreItemResponse);
    }),
  );

  router.get(
    '/roadmap/:roadmapId/cover-image',
    requireUser,
    handle(async (request, response, user) => {
      response.status(200).json(await engine.covers.get(param(request, 'roadmapId'), { userId: user.userId }));
    }),
  );

  router.post(
    '/roadmap/:roadmapId/cover-image/generate',
    requireUser,
    handle(async (request, response, user) => {
      const roadmapId = param(request, 'roadmapId');
      await engine.covers.get(roadmapId, { userId: user.userId });
      await limitCovers(user);
      response.status(202).json(await engine.covers.generate(roadmapId, { userId: user.userId }));
    }),
  );

  router.put(
    '/roadmap/:roadmapId/cover-image',
    requireUser,
    // Limit and ownership first, so that nobody can make the server read 2 MB for someone else's roadmap.
    async (request: Request, response: Response, next: NextFunction) => {
      const user = response.locals.roadmapUser as AuthenticatedUser;
      const roadmapId = param(request, 'roadmapId');
      await limitCoverUpload(user);
      await engine.covers.get(roadmapId, { userId: user.userId });
      next();
    },
    rawImage,
    handle(async (request, response, user) => {
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(400, {
          detail: `Send the image bytes with Content-Type ${coverUploadTypes.join(', ')}.`,
          code: 'unsupported_media_type',
        });
      }
      const cover = await engine.covers.upload(param(request, 'roadmapId'), request.body, { userId: user.userId });
      response.status(200).json(cover);
    }),
  );

  router.post(
    '/cover-images/batch-get',
    requireUser,
    json,
    handle(async (request, response, user) => {
      // Ids no roadmap can have (a NUL, another format) are answered not_found without asking storage.
      const roadmapIds = parseRoadmapIds(request.body);
      const { wellFormed } = partitionRoadmapIds(roadmapIds);
      const found = wellFormed.length === 0 ? [] : await engine.covers.batchGet(wellFormed, { userId: user.userId });
      const byId = new Map(found.map((cover) => [cover.roadmap_id, cover]));
      response
        .status(200)
        .json(
          roadmapIds.map(
            (roadmapId): BatchCover =>
              byId.get(roadmapId) ?? { roadmap_id: roadmapId, status: 'not_found', cover_image_url: null },
          ),
        );
    }),
  );

  router.post(
    '/cover-images/batch-generate',
    requireUser,
    json,
    handle(async (request, response, user) => {
      const roadmapIds = parseRoadmapIds(request.body);
      const { wellFormed, malformed } = partitionRoadmapIds(roadmapIds);
      await limitCovers(user);
      const result =
        wellFormed.length === 0
          ? { triggered: 0, skipped: 0, roadmap_ids: [], not_found: [] }
          : await engine.covers.batchGenerate(wellFormed, { userId: user.userId });
      const notFound = new Set([...malformed, ...result.not_found]);
      response.status(200).json({
        ...result,
        not_found: [...new Set(roadmapIds)].filter((roadmapId) => notFound.has(roadmapId)),
        message: `Triggered ${result.triggered} cover image generation tasks, skipped ${result.skipped} already successful`,
      } satisfies BatchGenerateCoversResponse);
    }),
  );

  router.use(createErrorHandler(onError));
  return router;
}

/** A route parameter as Express decoded it (always present on the routes that read it). */
function rawParam(request: Request, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (typeof value !== 'string') throw new RoadmapError('invalid_input', `Missing path parameter ${name}.`);
  return value;
}

/** A route parameter checked against its format (`pathParameters.ts`): a malformed one is a 400 before any read. */
function param(request: Request, name: PathParameterName): string {
  return parsePathParameter(name, rawParam(request, name));
}

async function requireTask(engine: RoadmapEngine, taskId: string, user: AuthenticatedUser) {
  const task = await engine.getTask(taskId, { userId: user.userId });
  if (task === null) throw new RoadmapError('not_found', `Task ${taskId} does not exist.`);
  return task;
}

/** The blob of an image URL's last segment (Express has decoded it once), or `null` for an unknown or invalid key. */
async function readBlob(engine: RoadmapEngine, key: string) {
  try {
    return await engine.blobStore.get(key);
  } catch (error) {
    if (RoadmapError.isInstance(error) && error.code === 'invalid_input') return null;
    throw error;
  }
}
