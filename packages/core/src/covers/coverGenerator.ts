import type { CoverRecord } from '../domain/coverRecord.js';
import type { Roadmap } from '../domain/schemas.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { abortError, errorMessage, RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import type { BlobStore } from './blobStore.js';
import type { ImageAttribution, ImageProvider, ImageResult, ImageUsage } from './imageProvider.js';
import { detectImageType, imageExtensions } from './imageType.js';
import { isOfflineArtwork } from './offlineImageProvider.js';

/** What a {@link CoverGenerator} works with (filled in by `CoverService` with its defaults). */
export interface CoverGeneratorSettings {
  storage: Storage;
  imageProvider: ImageProvider;
  blobStore: BlobStore;
  clock: Clock;
  concurrency: number;
  maxRetries: number;
  retryBaseMs: number;
  staleAfterMs: number;
  generateId: () => string;
  /** Emits the cover's `cover_updated` event; never throws. */
  announce(cover: CoverRecord): Promise<void>;
  onError(error: unknown): void;
  /** Told what an image call used, with the cover's task; never throws. */
  onImageUsage(taskId: string, usage: ImageUsage): void;
}

/**
 * Why a generation was abandoned: the process stops or crashes, an upload replaced it, it took too long, or the
 * task that made the roadmap was cancelled.
 */
type AbandonKind = 'stopping' | 'crashed' | 'superseded' | 'timeout' | 'cancelled';

/** Abort reason of a cover generation: an `AbortError` that says why. */
class CoverAbort extends Error {
  constructor(
    readonly kind: AbandonKind,
    message = `Cover generation stopped: ${kind}`,
  ) {
    super(message);
    this.name = 'AbortError';
  }
}

interface ActiveGeneration {
  controller: AbortController;
  done: Promise<void>;
  /** The task that made the roadmap, known once the cover is claimed. */
  taskId: string | undefined;
}

/** How a generation was asked for. */
export interface CoverEnqueueOptions {
  /**
   * Asked for by the kit itself (the roadmap was just stored, or the sweeper found the cover due): the generation
   * is skipped when the roadmap's task was cancelled. False for a user's request. Default: false.
   */
  automatic?: boolean;
}

/** The prompt an image provider gets for a roadmap: its title and its goal. */
export function coverPrompt(roadmap: Pick<Roadmap, 'title' | 'goal'>): string {
  const title = roadmap.title.trim();
  const goal = roadmap.goal.trim();
  return `Cover illustration for a learning roadmap titled "${title}".${goal === title ? '' : ` Goal: ${goal}.`} Abstract, no text.`;
}

/** Blob key of a cover image: `covers/<roadmapId>-<random>.<ext>`, new for every image so URLs never go stale. */
export function coverBlobKey(roadmapId: string, extension: string, generateId: () => string): string {
  return `${roadmapId}-${generateId()
    .replace(/[^a-zA-Z0-9]/g, '')
    .slice(0, 16)}.${extension}`;
}

/** Settles like `promise`, or rejects as soon as `signal` aborts (for providers that ignore their signal). */
function untilAborted<Value>(promise: Promise<Value>, signal: AbortSignal): Promise<Value> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The in-process queue of `pending` covers: runs at most `concurrency` generations at once, each
 * `pending → generating → success | failed` by compare-and-set. A failure schedules the next automatic attempt
 * (`next_attempt_at`, backoff doubling from `retryBaseMs`) while `retry_count < maxRetries`.
 */
export class CoverGenerator {
  private readonly waiting: string[] = [];
  /** Covers in `waiting`, each with whether only automatic requests asked for it. */
  private readonly queued = new Map<string, boolean>();
  private readonly active = new Map<string, ActiveGeneration>();
  private readonly stopController = new AbortController();

  constructor(private readonly settings: CoverGeneratorSettings) {}

  /** Whether this process is generating the cover now. */
  isActive(roadmapId: string): boolean {
    return this.active.has(roadmapId);
  }

  /** Queues a `pending` cover (once) and starts generations while slots are free. */
  enqueue(roadmapId: string, options: CoverEnqueueOptions = {}): void {
    if (this.stopController.signal.aborted || this.active.has(roadmapId)) return;
    const automatic = options.automatic ?? false;
    const queued = this.queued.get(roadmapId);
    if (queued === undefined) this.waiting.push(roadmapId);
    // A user's request wins over an automatic one for the same cover.
    this.queued.set(roadmapId, (queued ?? true) && automatic);
    this.pump();
  }

  /**
   * The task that made a roadmap was cancelled: its cover generation in flight here is aborted (its image call
   * through the signal) and writes nothing more, and a cover waiting here is dropped. Matches the task id of
   * claimed covers, and `roadmapId` (when known) also before the claim has answered.
   */
  abortTask(taskId: string, roadmapId?: string): void {
    if (roadmapId !== undefined && this.queued.delete(roadmapId)) {
      this.waiting.splice(this.waiting.indexOf(roadmapId), 1);
    }
    for (const [activeRoadmapId, generation] of this.active) {
      if (generation.taskId === taskId || activeRoadmapId === roadmapId) {
        generation.controller.abort(new CoverAbort('cancelled'));
      }
    }
  }

  /** Abandons the generation of a cover an upload just replaced: it writes nothing more. */
  supersede(roadmapId: string): void {
    this.active.get(roadmapId)?.controller.abort(new CoverAbort('superseded'));
  }

  /**
   * Forgets the queue and aborts every generation; with `release` their covers go back to `pending`, without it
   * nothing more is written (a crash). Resolves once every generation has ended.
   */
  async stop(release: boolean): Promise<void> {
    this.waiting.length = 0;
    this.queued.clear();
    if (!this.stopController.signal.aborted)
      this.stopController.abort(new CoverAbort(release ? 'stopping' : 'crashed'));
    await Promise.all([...this.active.values()].map((generation) => generation.done));
  }

  /** Deletes a blob the kit no longer uses; errors go to `onError`. */
  async deleteBlob(blobKey: string | null): Promise<void> {
    if (blobKey === null) return;
    await this.settings.blobStore.delete(blobKey).catch(this.settings.onError);
  }

  private pump(): void {
    while (!this.stopController.signal.aborted && this.active.size < this.settings.concurrency) {
      const roadmapId = this.waiting.shift();
      if (roadmapId === undefined) return;
      const automatic = this.queued.get(roadmapId) ?? false;
      this.queued.delete(roadmapId);
      const generation: ActiveGeneration = {
        controller: new AbortController(),
        done: Promise.resolve(),
        taskId: undefined,
      };
      this.active.set(roadmapId, generation);
      generation.done = this.run(roadmapId, generation, automatic)
        .catch(this.settings.onError)
        .finally(() => {
          this.active.delete(roadmapId);
          this.pump();
        });
    }
  }

  /**
   * `pending → generating → success | failed`; after an abort, `pending` again (stop) or nothing (crash, upload,
   * cancel: the canceller writes `not_started`). An automatic generation whose task is cancelled goes back to
   * `not_started` without calling the provider.
   */
  private async run(roadmapId: string, generation: ActiveGeneration, automatic: boolean): Promise<void> {
    const { storage, clock, imageProvider, staleAfterMs, announce } = this.settings;
    const { controller } = generation;
    const claimed = await storage.transitionCover(roadmapId, {
      from: ['pending'],
      to: 'generating',
      patch: { updated_at: isoTime(clock.now()) },
    });
    if (!claimed) return;
    generation.taskId = claimed.task_id;
    // Read after the claim: a cancel stores the task's status before it resets covers, so either the cancel sees
    // this cover `generating` (and resets it) or this read sees the task cancelled. A paused task starts no image
    // call either (SPEC §7): its cover waits `not_started`, and the resumed run starts it again.
    const taskStatus = automatic ? (await storage.getTask(claimed.task_id))?.status : undefined;
    if (taskStatus === 'cancelled' || taskStatus === 'paused') {
      const reset = await storage.transitionCover(roadmapId, {
        from: ['generating'],
        to: 'not_started',
        patch: { updated_at: isoTime(clock.now()) },
      });
      if (reset) await announce(reset);
      return;
    }
    await announce(claimed);
    const signal = AbortSignal.any([this.stopController.signal, controller.signal]);
    // Past `staleAfterMs` other processes take the cover for abandoned: give it up before they do.
    const cancelTimeout = clock.setTimeout(() => {
      controller.abort(new CoverAbort('timeout', `Cover generation timed out after ${staleAfterMs / 1000} s.`));
    }, staleAfterMs);
    let unusedKey: string | null = null;
    try {
      const roadmap = await storage.getRoadmap(roadmapId);
      if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
      if (signal.aborted) throw abortError(signal);
      const image = await untilAborted(
        imageProvider.generate({ roadmapId, prompt: coverPrompt(roadmap), title: roadmap.title, abortSignal: signal }),
        signal,
      );
      // Paid for once the provider answered, whatever happens to the image next.
      if (image.usage) this.settings.onImageUsage(claimed.task_id, image.usage);
      const saved = await this.saveImage(roadmapId, image, signal);
      unusedKey = saved.blobKey;
      if (signal.aborted) throw abortError(signal);
      const succeeded = await storage.transitionCover(roadmapId, {
        from: ['generating'],
        to: 'success',
        patch: {
          cover_image_url: saved.url,
          provider: imageProvider.provider,
          attribution: saved.attribution,
          blob_key: saved.blobKey,
          error: null,
          retry_count: 0,
          next_attempt_at: null,
          updated_at: isoTime(clock.now()),
        },
      });
      // Not `generating` any more: an upload replaced it meanwhile, and this image is not needed.
      if (!succeeded) return;
      unusedKey = claimed.blob_key === saved.blobKey ? null : claimed.blob_key;
      await announce(succeeded);
    } catch (error) {
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      const kind = reason instanceof CoverAbort ? reason.kind : undefined;
      if (kind === 'stopping') {
        const released = await storage.transitionCover(roadmapId, {
          from: ['generating'],
          to: 'pending',
          patch: { updated_at: isoTime(clock.now()) },
        });
        if (released) await announce(released);
      } else if (kind !== 'crashed' && kind !== 'superseded' && kind !== 'cancelled') {
        await this.fail(claimed, kind === 'timeout' ? (reason as CoverAbort).message : errorMessage(error));
      }
    } finally {
      cancelTimeout();
      await this.deleteBlob(unusedKey);
    }
  }

  private async fail(claimed: CoverRecord, message: string): Promise<void> {
    const { storage, clock, maxRetries, retryBaseMs, announce } = this.settings;
    const now = clock.now();
    const retryCount = claimed.retry_count + 1;
    const failed = await storage.transitionCover(claimed.roadmap_id, {
      from: ['generating'],
      to: 'failed',
      patch: {
        error: message.slice(0, 1000),
        retry_count: retryCount,
        next_attempt_at: retryCount < maxRetries ? now + retryBaseMs * 2 ** (retryCount - 1) : null,
        updated_at: isoTime(now),
      },
    });
    if (failed) await announce(failed);
  }

  /**
   * Stores returned bytes in the blob store (only real PNG, JPEG or WebP, or SVG the offline provider drew); keeps a
   * provider's URL as it is.
   */
  private async saveImage(
    roadmapId: string,
    image: ImageResult,
    signal: AbortSignal,
  ): Promise<{ url: string; blobKey: string | null; attribution: ImageAttribution | null }> {
    const attribution = image.attribution ?? null;
    if (image.kind === 'url') {
      let protocol = '';
      try {
        protocol = new URL(image.url).protocol;
      } catch {}
      if (protocol !== 'https:' && protocol !== 'http:') {
        throw new RoadmapError('provider_error', 'The image provider returned a URL that is not http(s).');
      }
      return { url: image.url, blobKey: null, attribution };
    }
    const type = isOfflineArtwork(image.data) ? 'image/svg+xml' : detectImageType(image.data);
    if (!type) {
      throw new RoadmapError(
        'provider_error',
        `The image provider returned ${image.contentType} bytes that are not a PNG, JPEG or WebP image.`,
      );
    }
    const blobKey = coverBlobKey(roadmapId, imageExtensions[type], this.settings.generateId);
    const { url } = await this.settings.blobStore.put(blobKey, image.data, { contentType: type, abortSignal: signal });
    return { url, blobKey, attribution };
  }
}
