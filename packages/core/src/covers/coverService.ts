import { type CoverRecord, toPublicCover } from '../domain/coverRecord.js';
import type { RoadmapEventPayloads } from '../domain/events.js';
import { randomId } from '../domain/ids.js';
import type { OwnerOptions } from '../domain/ownership.js';
import type { Cover, CoverStatus, Roadmap } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import type { BatchCover, BatchGenerateCoversResponse } from '../domain/wire.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import type { BlobStore } from './blobStore.js';
import { type CoverEnqueueOptions, CoverGenerator, coverBlobKey } from './coverGenerator.js';
import type { ImageProvider, ImageUsage } from './imageProvider.js';
import { detectImageType, imageExtensions } from './imageType.js';

/** Largest cover a user may upload: 2 MB. */
export const maxCoverUploadBytes = 2 * 1024 * 1024;
/** Most roadmap ids in one batch call. */
export const maxCoverBatchSize = 100;
/** Most covers one sweep hands to the generator. */
const sweepLimit = 100;

/** Tuning of cover-image generation (`RoadmapEngineOptions.covers`). */
/** Image lookups a cover service remembers (see `withImage`): a few hundred kilobytes at most. */
const verifiedImagesKept = 10_000;

export interface CoverServiceOptions {
  /** Covers this engine generates at once; more wait in its in-process queue. Default: 4. */
  concurrency?: number;
  /**
   * Failed attempts (`retry_count`) after which a cover is no longer retried automatically: with 3, a cover is tried
   * at most 3 times on its own. A user can always retry by hand. Default: 3.
   */
  maxRetries?: number;
  /** Wait before the first automatic retry of a failed cover; it doubles with each further failure. Default: 30 000 ms. */
  retryBaseMs?: number;
  /** How often the sweeper looks for failed covers due for a retry and abandoned ones. Default: 60 000 ms. */
  sweepIntervalMs?: number;
  /**
   * A `pending` or `generating` cover not updated for this long was abandoned (its process died) and is generated
   * again by the sweeper; also the longest one generation may take before it fails as timed out. Default: 300 000 ms.
   */
  staleAfterMs?: number;
  /** Generate a roadmap's cover as soon as its framework is stored. Default: true. */
  autoGenerate?: boolean;
}

/** What a {@link CoverService} is built from: the engine's adapters plus the tuning. */
export interface CoverServiceSettings extends CoverServiceOptions {
  storage: Storage;
  imageProvider: ImageProvider;
  blobStore: BlobStore;
  clock: Clock;
  /** Appends a `cover_updated` event to the cover's task stream and delivers it to listeners. */
  publish(
    task: Pick<TaskRecord, 'task_id' | 'user_id'>,
    type: 'cover_updated',
    payload: RoadmapEventPayloads['cover_updated'],
  ): Promise<void>;
  /** Receives errors that have no caller (background generation, the sweeper, events). */
  onError(error: unknown): void;
  /** Creates the random part of blob keys. Default: `crypto.randomUUID`. */
  generateId?: () => string;
  /**
   * Told what an image call used (`ImageResult.usage`), with the task the cover belongs to, so the task's usage counts
   * it (SPEC §7). Default: nothing. Must not throw.
   */
  onImageUsage?: (taskId: string, usage: ImageUsage) => void;
}

const restartable: readonly CoverStatus[] = ['not_started', 'failed', 'success'];
const triggerable: readonly CoverStatus[] = ['not_started', 'failed'];
const anyStatus: readonly CoverStatus[] = ['not_started', 'pending', 'generating', 'success', 'failed'];

/** Whether the caller (`options.userId`; none: a trusted server-side call) owns what `ownerId` owns. */
function isOwner(ownerId: string, options: OwnerOptions): boolean {
  return options.userId === undefined || options.userId === ownerId;
}

function assertOwner(ownerId: string, options: OwnerOptions): void {
  if (!isOwner(ownerId, options)) throw new RoadmapError('forbidden', 'This roadmap belongs to another user.');
}

/** The cover of a stored roadmap that has no cover row yet, as reads answer it (nothing is written). */
function unstartedCover(roadmapId: string): Cover {
  return { roadmap_id: roadmapId, cover_image_url: null, status: 'not_started', error: null, retry_count: 0 };
}

function assertBatch(roadmapIds: readonly string[]): void {
  if (
    !Array.isArray(roadmapIds) ||
    roadmapIds.length < 1 ||
    roadmapIds.length > maxCoverBatchSize ||
    !roadmapIds.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 200)
  ) {
    throw new RoadmapError('invalid_input', `roadmap_ids lists 1 to ${maxCoverBatchSize} roadmap ids.`, {
      errors: [{ path: 'roadmap_ids', message: `1 to ${maxCoverBatchSize} non-empty ids` }],
    });
  }
}

/**
 * Cover images of roadmaps (SPEC §2–§3), exposed as `engine.covers`: one cover per roadmap, generated in this
 * process with bounded concurrency, retried automatically with backoff, regenerated or uploaded on demand.
 * Every status change is a compare-and-set in storage and emits a `cover_updated` event on the roadmap's task
 * stream. The retry schedule and abandoned generations live in storage, so a restarted process's sweeper picks
 * them up.
 *
 * @example
 * ```ts
 * const cover = await engine.covers.get('learn-rust-1a2b3c4d', { userId: 'u1' });
 * if (cover.status === 'failed') await engine.covers.generate(cover.roadmap_id, { userId: 'u1' });
 * ```
 */
export class CoverService {
  private readonly settings: Required<
    Omit<CoverServiceSettings, 'autoGenerate' | 'concurrency' | 'maxRetries' | 'retryBaseMs'>
  >;
  /** Whether covers are generated as soon as a roadmap's framework is stored. */
  readonly autoGenerate: boolean;
  private readonly generator: CoverGenerator;
  private readonly background = new Set<Promise<unknown>>();
  private cancelSweep: (() => void) | undefined;
  /**
   * Blob keys of `success` covers whose image this process found stored: images never change, so each is looked up
   * once (the oldest forgotten past {@link verifiedImagesKept}).
   */
  private readonly verifiedImages = new Set<string>();
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(settings: CoverServiceSettings) {
    this.settings = {
      ...settings,
      sweepIntervalMs: settings.sweepIntervalMs ?? 60_000,
      staleAfterMs: settings.staleAfterMs ?? 300_000,
      generateId: settings.generateId ?? randomId,
      onImageUsage: settings.onImageUsage ?? (() => {}),
    };
    this.autoGenerate = settings.autoGenerate ?? true;
    this.generator = new CoverGenerator({
      ...this.settings,
      concurrency: Math.max(1, settings.concurrency ?? 4),
      maxRetries: settings.maxRetries ?? 3,
      retryBaseMs: settings.retryBaseMs ?? 30_000,
      announce: (cover) => this.announce(cover),
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // ------------------------------------------------------------------------------------------------------------

  /** Runs a first sweep, then one every `sweepIntervalMs`. Generation itself works without `start()`. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'running';
    await this.track(this.sweep().catch(this.settings.onError));
    this.scheduleSweep();
  }

  /**
   * Stops the sweeper and aborts every generation in flight. By default (graceful) those covers go back to
   * `pending`, for the sweeper of this or another process to pick up once stale; `{ release: false }` writes
   * nothing more, as a crash would. Covers still waiting in the in-process queue stay `pending` too.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.cancelSweep?.();
    const stopping = this.generator.stop(options.release !== false);
    await Promise.all([...this.background]);
    await stopping;
  }

  private scheduleSweep(): void {
    this.cancelSweep = this.settings.clock.setTimeout(
      () => {
        if (this.state !== 'running') return;
        this.track(
          this.sweep()
            .catch(this.settings.onError)
            .finally(() => {
              if (this.state === 'running') this.scheduleSweep();
            }),
        );
      },
      this.settings.sweepIntervalMs,
      { background: true },
    );
  }

  /**
   * Queues what storage says is due: failed covers whose automatic retry time has come, and `pending` or
   * `generating` covers untouched for `staleAfterMs` (their process died). Returns how many were queued.
   */
  async sweep(): Promise<number> {
    const { storage, clock, staleAfterMs } = this.settings;
    const now = clock.now();
    const due = await storage.listDueCovers({ now, staleBefore: isoTime(now - staleAfterMs), limit: sweepLimit });
    let queued = 0;
    for (const cover of due) {
      if (this.state === 'stopped') break;
      if (this.generator.isActive(cover.roadmap_id)) continue;
      const patch = { updated_at: isoTime(clock.now()) };
      // A stale `pending` cover only gets a fresh `updated_at`, so that no other sweeper takes it meanwhile.
      const moved = await storage.transitionCover(cover.roadmap_id, {
        from: [cover.status],
        to: 'pending',
        patch: cover.status === 'failed' ? { ...patch, next_attempt_at: null, error: null } : patch,
      });
      if (!moved) continue;
      if (cover.status !== 'pending') await this.announce(moved);
      this.generator.enqueue(moved.roadmap_id, { automatic: true });
      queued += 1;
    }
    return queued;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Queries
  // ------------------------------------------------------------------------------------------------------------

  /**
   * A roadmap's cover (`not_started` until generation was asked for); `not_found` or `forbidden` otherwise. A read:
   * it writes nothing (a stored roadmap without a cover row yet reads as `not_started`) — except for a `success`
   * cover whose image is no longer in the blob store, which is generated again.
   */
  async get(roadmapId: string, options: OwnerOptions = {}): Promise<Cover> {
    const { storage } = this.settings;
    const stored = await storage.getCover(roadmapId);
    if (stored) {
      assertOwner(stored.user_id, options);
      return toPublicCover(await this.withImage(stored));
    }
    const roadmap = await storage.getRoadmap(roadmapId);
    if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
    assertOwner(roadmap.user_id, options);
    return unstartedCover(roadmapId);
  }

  /**
   * Covers of up to 100 roadmaps, in request order; ids that are unknown or not the caller's come back as
   * `{ roadmap_id, status: 'not_found', cover_image_url: null }`. A read: it writes nothing, for any id — except for
   * `success` covers whose image is gone, generated again as {@link get} does.
   */
  async batchGet(roadmapIds: readonly string[], options: OwnerOptions = {}): Promise<BatchCover[]> {
    assertBatch(roadmapIds);
    const { storage } = this.settings;
    const covers = new Map<string, Cover>();
    const stored = new Set<string>();
    for (const cover of await storage.getCovers(roadmapIds)) {
      stored.add(cover.roadmap_id);
      if (isOwner(cover.user_id, options)) covers.set(cover.roadmap_id, toPublicCover(await this.withImage(cover)));
    }
    for (const roadmapId of new Set(roadmapIds)) {
      if (stored.has(roadmapId)) continue;
      const roadmap = await storage.getRoadmap(roadmapId);
      if (roadmap && isOwner(roadmap.user_id, options)) covers.set(roadmapId, unstartedCover(roadmapId));
    }
    return roadmapIds.map(
      (roadmapId) => covers.get(roadmapId) ?? { roadmap_id: roadmapId, status: 'not_found', cover_image_url: null },
    );
  }

  // ------------------------------------------------------------------------------------------------------------
  // Commands
  // ------------------------------------------------------------------------------------------------------------

  /**
   * Triggers generation of up to 100 covers without waiting for it: only `not_started` and `failed` covers move to
   * `pending`; `success` and in-progress ones are skipped (the original re-triggered those in progress).
   */
  async batchGenerate(roadmapIds: readonly string[], options: OwnerOptions = {}): Promise<BatchGenerateCoversResponse> {
    assertBatch(roadmapIds);
    const unique = [...new Set(roadmapIds)];
    const covers = await this.findCovers(unique, options);
    const triggered: string[] = [];
    const notFound: string[] = [];
    let skipped = 0;
    for (const roadmapId of unique) {
      const cover = covers.get(roadmapId);
      if (!cover) notFound.push(roadmapId);
      else if (triggerable.includes(cover.status) && (await this.trigger(cover, triggerable))) {
        triggered.push(roadmapId);
      } else skipped += 1;
    }
    return {
      triggered: triggered.length,
      skipped,
      roadmap_ids: triggered,
      not_found: notFound,
      message: `Triggered ${triggered.length} cover image generation tasks, skipped ${skipped} already successful`,
    };
  }

  /**
   * (Re)generates one cover by hand, whatever its `retry_count`: from `not_started`, `failed` or `success` it moves
   * to `pending` (the current image stays until the new one replaces it); a cover already `pending` or
   * `generating` is returned as it is.
   */
  async generate(roadmapId: string, options: OwnerOptions = {}): Promise<Cover> {
    let cover = await this.requireCover(roadmapId, options);
    while (restartable.includes(cover.status)) {
      const pending = await this.trigger(cover, restartable);
      if (pending) return toPublicCover(pending);
      cover = await this.requireCover(roadmapId, options);
    }
    return toPublicCover(cover);
  }

  /**
   * Replaces a cover with an uploaded PNG, JPEG or WebP image of at most 2 MB, its type read from the bytes
   * (`unsupported_media_type` otherwise, `payload_too_large` when bigger). The cover becomes `success` at once and
   * a generation in flight for it is abandoned. On any error the previous cover stays as it was.
   */
  async upload(roadmapId: string, bytes: Uint8Array, options: OwnerOptions = {}): Promise<Cover> {
    const { storage, blobStore, clock } = this.settings;
    const previous = await this.requireCover(roadmapId, options);
    if (!(bytes instanceof Uint8Array)) throw new RoadmapError('invalid_input', 'The image must be bytes.');
    if (bytes.byteLength > maxCoverUploadBytes) {
      throw new RoadmapError(
        'payload_too_large',
        `A cover image is at most 2 MB; this one has ${bytes.byteLength} bytes.`,
      );
    }
    const type = detectImageType(bytes);
    if (!type) throw new RoadmapError('unsupported_media_type', 'A cover image must be a PNG, JPEG or WebP image.');
    const blobKey = coverBlobKey(roadmapId, imageExtensions[type], this.settings.generateId);
    const { url } = await blobStore.put(blobKey, bytes, { contentType: type });
    const uploaded = await storage.transitionCover(roadmapId, {
      from: anyStatus,
      to: 'success',
      patch: {
        cover_image_url: url,
        provider: 'upload',
        attribution: null,
        blob_key: blobKey,
        error: null,
        retry_count: 0,
        next_attempt_at: null,
        updated_at: isoTime(clock.now()),
      },
    });
    if (!uploaded) {
      await this.generator.deleteBlob(blobKey);
      throw new RoadmapError('not_found', `Roadmap ${roadmapId} has no cover.`);
    }
    this.generator.supersede(roadmapId);
    await this.generator.deleteBlob(previous.blob_key);
    await this.announce(uploaded);
    return toPublicCover(uploaded);
  }

  /**
   * Called by the pipeline once a roadmap's framework is stored: creates its cover and, with `autoGenerate`, starts
   * generating it unless that was done before. Never throws and never waits: errors go to `onError`.
   */
  onRoadmapStored(roadmap: Pick<Roadmap, 'roadmap_id' | 'user_id'>, taskId: string): void {
    const { storage, clock, onError } = this.settings;
    const work = async () => {
      // A task deleted before its cover was started gets none (SPEC §9: deleting it removed every cover it had).
      if ((await storage.getTask(taskId)) === null) return;
      const cover = await storage.ensureCover({
        roadmap_id: roadmap.roadmap_id,
        user_id: roadmap.user_id,
        task_id: taskId,
        created_at: isoTime(clock.now()),
      });
      if (!this.autoGenerate || cover.status !== 'not_started') return;
      await this.trigger(cover, ['not_started'], { automatic: true });
    };
    this.track(work().catch(onError));
  }

  /**
   * The task that made a roadmap was cancelled in another process (the queue's broadcast): aborts this process's
   * generation of its cover, which writes nothing more. Synchronous; the canceller resets the cover's status.
   */
  abortTask(taskId: string): void {
    this.generator.abortTask(taskId);
  }

  /**
   * Called by `engine.cancel` once the task is stored `cancelled`: aborts the cover's generation here (its image
   * call through the signal), and resets a `pending` or `generating` cover to `not_started`, so no process
   * generates it on its own any more (a generation elsewhere that missed the broadcast cannot store its image: its
   * compare-and-set from `generating` fails). A `failed` cover keeps its error but is no longer retried
   * automatically. A user can still generate the cover by hand. Never throws: errors go to `onError`.
   */
  async onTaskCancelled(task: Pick<TaskRecord, 'task_id' | 'roadmap_id'>): Promise<void> {
    const { storage, clock, onError } = this.settings;
    this.generator.abortTask(task.task_id, task.roadmap_id);
    try {
      const updatedAt = isoTime(clock.now());
      const reset = await storage.transitionCover(task.roadmap_id, {
        from: ['pending', 'generating'],
        to: 'not_started',
        patch: { error: null, next_attempt_at: null, updated_at: updatedAt },
      });
      if (reset) {
        await this.announce(reset);
        return;
      }
      await storage.transitionCover(task.roadmap_id, {
        from: ['failed'],
        to: 'failed',
        patch: { next_attempt_at: null, updated_at: updatedAt },
      });
    } catch (error) {
      onError(error);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Generation
  // ------------------------------------------------------------------------------------------------------------

  /**
   * The cover as it should be served. A `success` cover whose image blob is gone (a deleted folder, an in-memory
   * blob store after a restart) would be a broken link: it goes back to `pending` without its URL and is generated
   * again, announced like any change. Each image is looked up once per process; a lookup that fails serves the cover
   * as stored and reports the error.
   */
  private async withImage(cover: CoverRecord): Promise<CoverRecord> {
    const key = cover.blob_key;
    if (cover.status !== 'success' || key === null || this.verifiedImages.has(key)) return cover;
    const { blobStore, storage, clock, onError } = this.settings;
    try {
      const stored = blobStore.has ? await blobStore.has(key) : (await blobStore.get(key)) !== null;
      if (stored) {
        this.verifiedImages.add(key);
        if (this.verifiedImages.size > verifiedImagesKept) {
          this.verifiedImages.delete(this.verifiedImages.values().next().value as string);
        }
        return cover;
      }
      const pending = await storage.transitionCover(cover.roadmap_id, {
        from: ['success'],
        to: 'pending',
        patch: {
          cover_image_url: null,
          blob_key: null,
          error: null,
          next_attempt_at: null,
          updated_at: isoTime(clock.now()),
        },
      });
      if (!pending) return (await storage.getCover(cover.roadmap_id)) ?? cover;
      await this.announce(pending);
      this.generator.enqueue(pending.roadmap_id, { automatic: true });
      return pending;
    } catch (error) {
      onError(error);
      return cover;
    }
  }

  /** Compare-and-set to `pending`, announce it, and queue the cover here; `null` when it changed meanwhile. */
  private async trigger(
    cover: CoverRecord,
    from: readonly CoverStatus[],
    options: CoverEnqueueOptions = {},
  ): Promise<CoverRecord | null> {
    const pending = await this.settings.storage.transitionCover(cover.roadmap_id, {
      from,
      to: 'pending',
      patch: { error: null, next_attempt_at: null, updated_at: isoTime(this.settings.clock.now()) },
    });
    if (!pending) return null;
    await this.announce(pending);
    this.generator.enqueue(pending.roadmap_id, options);
    return pending;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Helpers
  // ------------------------------------------------------------------------------------------------------------

  /**
   * For commands: the cover, created (`not_started`) for a stored roadmap that has none yet. Ownership is checked
   * before anything is written.
   */
  private async requireCover(roadmapId: string, options: OwnerOptions): Promise<CoverRecord> {
    const { storage } = this.settings;
    const stored = await storage.getCover(roadmapId);
    if (stored) {
      assertOwner(stored.user_id, options);
      return stored;
    }
    const roadmap = await storage.getRoadmap(roadmapId);
    if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
    assertOwner(roadmap.user_id, options);
    const created = await this.createCover(roadmap);
    if (!created) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
    assertOwner(created.user_id, options);
    return created;
  }

  /**
   * For commands: the caller's covers among `roadmapIds` by roadmap id, created where a roadmap of the caller has
   * none yet. Another user's or an unknown id is left out without any write.
   */
  private async findCovers(roadmapIds: readonly string[], options: OwnerOptions): Promise<Map<string, CoverRecord>> {
    const { storage } = this.settings;
    const found = new Map<string, CoverRecord>();
    const stored = new Set<string>();
    for (const cover of await storage.getCovers(roadmapIds)) {
      stored.add(cover.roadmap_id);
      if (isOwner(cover.user_id, options)) found.set(cover.roadmap_id, cover);
    }
    for (const roadmapId of new Set(roadmapIds)) {
      if (stored.has(roadmapId)) continue;
      const roadmap = await storage.getRoadmap(roadmapId);
      if (!roadmap || !isOwner(roadmap.user_id, options)) continue;
      const created = await this.createCover(roadmap);
      if (created && isOwner(created.user_id, options)) found.set(roadmapId, created);
    }
    return found;
  }

  private async createCover(roadmap: Pick<Roadmap, 'roadmap_id' | 'user_id'>): Promise<CoverRecord | null> {
    const { storage, clock } = this.settings;
    const roadmapId = roadmap.roadmap_id;
    const task = (await storage.listTasks({ roadmapId, limit: 1 })).tasks[0];
    if (!task) return null;
    return storage.ensureCover({
      roadmap_id: roadmapId,
      user_id: roadmap.user_id,
      task_id: task.task_id,
      created_at: isoTime(clock.now()),
    });
  }

  private async announce(cover: CoverRecord): Promise<void> {
    try {
      await this.settings.publish(cover, 'cover_updated', {
        roadmap_id: cover.roadmap_id,
        status: cover.status,
        cover_image_url: cover.cover_image_url,
      });
    } catch (error) {
      // The status change is stored; a lost event must not undo it.
      this.settings.onError(error);
    }
  }

  private track<Value>(promise: Promise<Value>): Promise<Value> {
    this.background.add(promise);
    const forget = () => {
      this.background.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }
}
