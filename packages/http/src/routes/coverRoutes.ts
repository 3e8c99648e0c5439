import { type BatchCover, type BatchGenerateCoversResponse, type RoadmapEngine, RoadmapError } from '@roadmap/core';
import { HttpError } from '../errors/httpError.js';
import { mediaTypeOf } from '../pipeline/bodyReading.js';
import { parseRoadmapIds, partitionRoadmapIds } from '../validation/requestValidation.js';
import { type RouteDefinition, userOf } from './routeDefinition.js';
import { header, json, param } from './routeParameters.js';

/** Largest uploaded cover image (as `engine.covers.upload` accepts). */
export const coverUploadLimit = 2 * 1024 * 1024;
/** Content types an upload may be sent as; the image type itself is read from the bytes. */
const coverUploadTypes = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'];
/** Images are stored under random keys and never change: they may be cached for a year. */
const imageCacheControl = 'public, max-age=31536000, immutable';
/** Types served as themselves; SVG is only ever the offline provider's artwork (uploads are raster only). */
const servableImageTypes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml']);
/** No script, style sheet, font or fetch from an image, even an SVG opened on its own; a sandbox besides. */
const imageContentSecurityPolicy = "default-src 'none'; sandbox";

/** Routes of cover images (SPEC §3): read, generate, upload, batches, and the public image files. */
export const coverRoutes: readonly RouteDefinition[] = [
  {
    // Public: cover images are shown in <img> tags, which send no Authorization header.
    method: 'GET',
    path: '/cover-images/:file',
    access: 'public',
    body: 'none',
    rateLimit: null,
    summary: 'The bytes of a cover image (public, cached for a year, unable to run script).',
    async handle(request, { engine }) {
      const blob = await readBlob(engine, param(request, 'file'));
      if (blob === null) throw new RoadmapError('not_found', 'No such image.');
      const contentType = servableImageTypes.has(blob.contentType) ? blob.contentType : 'application/octet-stream';
      return {
        status: 200,
        body: blob.data,
        headers: {
          'Content-Type': contentType,
          'Cache-Control': imageCacheControl,
          'Cross-Origin-Resource-Policy': 'cross-origin',
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': imageContentSecurityPolicy,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/roadmap/:roadmapId/cover-image',
    access: 'user',
    body: 'none',
    rateLimit: null,
    summary: "Read a roadmap's cover: status, URL, error and retry count.",
    async handle(request, { engine }) {
      return json(200, await engine.covers.get(param(request, 'roadmapId'), { userId: userOf(request).userId }));
    },
  },
  {
    method: 'POST',
    path: '/roadmap/:roadmapId/cover-image/generate',
    access: 'user',
    body: 'none',
    rateLimit: 'coverGeneration',
    summary: "Generate a roadmap's cover (again).",
    async handle(request, { engine, enforceRateLimit }) {
      const roadmapId = param(request, 'roadmapId');
      const userId = userOf(request).userId;
      await engine.covers.get(roadmapId, { userId });
      await enforceRateLimit();
      return json(202, await engine.covers.generate(roadmapId, { userId }));
    },
  },
  {
    method: 'PUT',
    path: '/roadmap/:roadmapId/cover-image',
    access: 'user',
    body: 'image',
    rateLimit: 'coverUpload',
    summary: 'Upload a cover image (PNG, JPEG or WebP, at most 2 MB; the type is read from the bytes).',
    async handle(request, { engine, enforceRateLimit }) {
      const roadmapId = param(request, 'roadmapId');
      const userId = userOf(request).userId;
      // Limit and ownership first, so that nobody can make the server read 2 MB for someone else's roadmap.
      await enforceRateLimit();
      await engine.covers.get(roadmapId, { userId });
      if (!coverUploadTypes.includes(mediaTypeOf(header(request, 'content-type')))) {
        throw new HttpError(400, {
          detail: `Send the image bytes with Content-Type ${coverUploadTypes.join(', ')}.`,
          code: 'unsupported_media_type',
        });
      }
      const bytes = await request.readBytes(coverUploadLimit);
      return json(200, await engine.covers.upload(roadmapId, bytes, { userId }));
    },
  },
  {
    method: 'POST',
    path: '/cover-images/batch-get',
    access: 'user',
    body: 'json',
    rateLimit: null,
    summary: 'Read up to 100 covers in request order; unknown or foreign ids come back as not_found.',
    async handle(request, { engine }) {
      // Ids no roadmap can have (a NUL, another format) are answered not_found without asking storage.
      const roadmapIds = parseRoadmapIds(await request.readJson());
      const { wellFormed } = partitionRoadmapIds(roadmapIds);
      const found =
        wellFormed.length === 0 ? [] : await engine.covers.batchGet(wellFormed, { userId: userOf(request).userId });
      const byId = new Map(found.map((cover) => [cover.roadmap_id, cover]));
      return json(
        200,
        roadmapIds.map(
          (roadmapId): BatchCover =>
            byId.get(roadmapId) ?? { roadmap_id: roadmapId, status: 'not_found', cover_image_url: null },
        ),
      );
    },
  },
  {
    method: 'POST',
    path: '/cover-images/batch-generate',
    access: 'user',
    body: 'json',
    rateLimit: 'coverGeneration',
    summary: 'Generate the covers of up to 100 roadmaps that have none or a failed one; the rest are skipped.',
    async handle(request, { engine, enforceRateLimit }) {
      const roadmapIds = parseRoadmapIds(await request.readJson());
      const { wellFormed, malformed } = partitionRoadmapIds(roadmapIds);
      await enforceRateLimit();
      const result =
        wellFormed.length === 0
          ? { triggered: 0, skipped: 0, roadmap_ids: [], not_found: [] }
          : await engine.covers.batchGenerate(wellFormed, { userId: userOf(request).userId });
      const notFound = new Set([...malformed, ...result.not_found]);
      return json(200, {
        ...result,
        not_found: [...new Set(roadmapIds)].filter((roadmapId) => notFound.has(roadmapId)),
        message: `Triggered ${result.triggered} cover image generation tasks, skipped ${result.skipped} already successful`,
      } satisfies BatchGenerateCoversResponse);
    },
  },
];

/** The blob of an image URL's last segment (decoded once), or `null` for an unknown or invalid key. */
async function readBlob(engine: RoadmapEngine, key: string) {
  try {
    return await engine.blobStore.get(key);
  } catch (error) {
    if (RoadmapError.isInstance(error) && error.code === 'invalid_input') return null;
    throw error;
  }
}
