import type { BatchCover, Cover, RoadmapClient } from '@roadmap/core/client';
import { toApiError } from './errors.js';
import type { KeyedStore } from './store.js';
import { Store } from './store.js';

/** Poll interval after a manual retry, as the original app did. */
export const coverPollIntervalMs = 1000;
/** Most polls after a manual retry. */
export const coverPollLimit = 30;

/** Statuses after which a cover no longer changes by itself. */
export const isSettledCover = (cover: Cover | BatchCover | undefined): boolean =>
  cover?.status === 'success' || cover?.status === 'failed' || cover?.status === 'not_found';

/** One roadmap's cover: read from the provider's cover cache, fetched when missing, retried and polled by hand. */
export class CoverObserver extends Store<{ isRetrying: boolean }> {
  readonly #client: RoadmapClient;
  readonly #cache: KeyedStore<Cover | BatchCover>;
  readonly #roadmapId: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #active = false;
  #fetching = false;
  #wake: (() => void) | undefined;

  constructor(client: RoadmapClient, cache: KeyedStore<Cover | BatchCover>, roadmapId: string) {
    super({ isRetrying: false });
    this.#client = client;
    this.#cache = cache;
    this.#roadmapId = roadmapId;
  }

  readonly subscribeCover = (listener: () => void) => this.#cache.subscribe(this.#roadmapId, listener);
  readonly getCover = () => this.#cache.get(this.#roadmapId);

  /** Fetches the cover unless the cache has it (or `fetch` is off); returns the cleanup that stops polling. */
  mount(fetch: boolean): () => void {
    this.#active = true;
    if (fetch && !this.getCover() && !this.#fetching) {
      this.#fetching = true;
      this.#client.getCover(this.#roadmapId).then(
        (cover) => this.#cache.set(this.#roadmapId, cover),
        () => {
          this.#fetching = false;
        },
      );
    }
    return () => {
      this.#active = false;
      clearTimeout(this.#timer);
      this.#wake?.();
    };
  }

  /** Starts generation, then polls every second, at most 30 times, until the cover succeeds or fails. */
  readonly retry = async (): Promise<void> => {
    if (this.getSnapshot().isRetrying) return;
    this.update({ isRetrying: true });
    try {
      this.#cache.set(this.#roadmapId, await this.#client.generateCover(this.#roadmapId));
      for (let poll = 0; poll < coverPollLimit && this.#active; poll++) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#timer = setTimeout(resolve, coverPollIntervalMs);
        });
        if (!this.#active) break;
        const cover = await this.#client.getCover(this.#roadmapId);
        this.#cache.set(this.#roadmapId, cover);
        if (isSettledCover(cover)) break;
      }
    } catch (error) {
      const current = this.getCover();
      this.#cache.set(this.#roadmapId, {
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
