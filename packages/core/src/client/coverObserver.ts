import type { RoadmapCache } from './roadmapCache.js';
import { Store } from './store.js';
import { toApiError } from './toApiError.js';
import type { BatchCover, Cover } from './wireTypes.js';

/** Poll interval after a manual retry, as the original app did. */
export const coverPollIntervalMs = 1000;
/** Most polls after a manual retry. */
export const coverPollLimit = 30;

/** Statuses after which a cover no longer changes by itself. */
export const isSettledCover = (cover: Cover | BatchCover | undefined): boolean =>
  cover?.status === 'success' || cover?.status === 'failed' || cover?.status === 'not_found';

/**
 * One roadmap's cover: read from the cache's shared covers (`cache.covers`), fetched when missing, retried and
 * polled by hand. Its own state says whether a retry is running.
 *
 * @example
 * const observer = new CoverObserver(cache, roadmapId);
 * const stop = observer.mount(true);
 */
export class CoverObserver extends Store<{ isRetrying: boolean }> {
  readonly #cache: RoadmapCache;
  readonly #roadmapId: string;
  #timer: unknown;
  #active = false;
  #fetching = false;
  #wake: (() => void) | undefined;

  constructor(cache: RoadmapCache, roadmapId: string) {
    super({ isRetrying: false });
    this.#cache = cache;
    this.#roadmapId = roadmapId;
  }

  /** Calls `listener` when the cover changes. */
  readonly subscribeCover = (listener: () => void) => this.#cache.covers.subscribe(this.#roadmapId, listener);
  /** The latest known cover; `undefined` until known. */
  readonly getCover = () => this.#cache.covers.get(this.#roadmapId);

  /** Fetches the cover unless the cache has it (or `fetch` is off); returns the cleanup that stops polling. */
  mount(fetch: boolean): () => void {
    this.#active = true;
    if (fetch && !this.getCover() && !this.#fetching) {
      this.#fetching = true;
      this.#cache.client.getCover(this.#roadmapId).then(
        (cover) => this.#cache.covers.set(this.#roadmapId, cover),
        () => {
          this.#fetching = false;
        },
      );
    }
    return () => {
      this.#active = false;
      this.#cache.cancelTimer(this.#timer);
      this.#wake?.();
    };
  }

  /** Starts generation, then polls every second, at most 30 times, until the cover succeeds or fails. */
  readonly retry = async (): Promise<void> => {
    if (this.getSnapshot().isRetrying) return;
    this.update({ isRetrying: true });
    const { client, covers } = this.#cache;
    try {
      covers.set(this.#roadmapId, await client.generateCover(this.#roadmapId));
      for (let poll = 0; poll < coverPollLimit && this.#active; poll++) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#timer = this.#cache.schedule(resolve, coverPollIntervalMs);
        });
        if (!this.#active) break;
        const cover = await client.getCover(this.#roadmapId);
        covers.set(this.#roadmapId, cover);
        if (isSettledCover(cover)) break;
      }
    } catch (error) {
      const current = this.getCover();
      covers.set(this.#roadmapId, {
        roadmap_id: this.#roadmapId,
        cover_image_url: current?.cover_image_url ?? null,
        status: 'failed',
        error: toApiError(error).detail,
        retry_count: current && 'retry_count' in current ? current.retry_count : 0,
      });
    } finally {
      this.update({ isRetrying: false });
    }
  };
}
