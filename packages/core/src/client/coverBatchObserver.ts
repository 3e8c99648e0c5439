import type { RoadmapApiError } from './clientErrors.js';
import { isSettledCover } from './coverObserver.js';
import type { RoadmapCache } from './roadmapCache.js';
import { Store } from './store.js';
import { toApiError } from './toApiError.js';
import type { BatchCover } from './wireTypes.js';

/** Poll interval while batch-generated covers are in progress. */
export const coverBatchPollIntervalMs = 2000;
/** Most polls of a batch (a minute at the default interval). */
export const coverBatchPollLimit = 30;
const batchSize = 100;

/** What a {@link CoverBatchObserver} knows of its covers. */
export interface CoverBatchState {
  /** Covers by roadmap id (unknown ids come back `not_found`). */
  covers: Record<string, BatchCover>;
  /** True until the first batch read answered. */
  isLoading: boolean;
  error: RoadmapApiError | null;
}

const chunks = (ids: readonly string[]) =>
  Array.from({ length: Math.ceil(ids.length / batchSize) }, (_, index) =>
    ids.slice(index * batchSize, (index + 1) * batchSize),
  );

/**
 * The covers of a list of roadmaps: one batch read, then — once per observer, whatever effects run twice — one batch
 * generation of the missing ones, then polls until they settle. Results go to the cache's shared covers.
 *
 * @example
 * const observer = new CoverBatchObserver(cache);
 * const stop = observer.mount(roadmapIds, true);
 */
export class CoverBatchObserver extends Store<CoverBatchState> {
  readonly #cache: RoadmapCache;
  #ids: readonly string[] = [];
  #loadedKey: string | undefined;
  #generated = false;
  #mounted = false;
  #timer: unknown;
  #polls = 0;
  #stopListening: (() => void) | undefined;

  constructor(cache: RoadmapCache) {
    super({ covers: {}, isLoading: true, error: null });
    this.#cache = cache;
  }

  /** Reads the covers of `ids` (unless they were read already), then polls; returns the cleanup that stops polling. */
  mount(ids: readonly string[], autoGenerate: boolean): () => void {
    this.#mounted = true;
    const key = ids.join('\n');
    this.#stopListening?.();
    const stops = ids.map((id) => this.#cache.covers.subscribe(id, () => this.#collect()));
    this.#stopListening = () => {
      for (const stop of stops) stop();
    };
    if (key !== this.#loadedKey) {
      this.#loadedKey = key;
      this.#ids = ids;
      this.#polls = 0;
      void this.#load(autoGenerate);
    } else {
      this.#schedule();
    }
    return () => {
      this.#mounted = false;
      this.#cache.cancelTimer(this.#timer);
      this.#timer = undefined;
      this.#stopListening?.();
      this.#stopListening = undefined;
    };
  }

  async #load(autoGenerate: boolean): Promise<void> {
    const ids = this.#ids;
    const { client, covers } = this.#cache;
    if (ids.length === 0) {
      this.update({ covers: {}, isLoading: false });
      return;
    }
    try {
      await this.#read(ids);
      const missing = ids.filter((id) => {
        const status = covers.get(id)?.status;
        return status === 'not_started' || status === 'failed';
      });
      if (autoGenerate && missing.length > 0 && !this.#generated) {
        // Guarded by the observer, not the effect: StrictMode's second effect run finds it set.
        this.#generated = true;
        for (const chunk of chunks(missing)) {
          const response = await client.batchGenerateCovers(chunk);
          for (const id of response.roadmap_ids) {
            const cover = covers.get(id);
            if (cover && cover.status !== 'not_found') covers.set(id, { ...cover, status: 'pending' });
          }
        }
      }
      this.update({ isLoading: false, error: null });
      this.#schedule();
    } catch (error) {
      this.update({ isLoading: false, error: toApiError(error) });
    }
  }

  async #read(ids: readonly string[]): Promise<void> {
    for (const chunk of chunks(ids)) {
      for (const cover of await this.#cache.client.batchGetCovers(chunk))
        this.#cache.covers.set(cover.roadmap_id, cover);
    }
    this.#collect();
  }

  /** Polls the covers still in progress, while mounted. */
  #schedule(): void {
    if (!this.#mounted || this.#timer !== undefined || this.#polls >= coverBatchPollLimit) return;
    const { covers } = this.#cache;
    const unsettled = this.#ids.filter((id) => !isSettledCover(covers.get(id)) && covers.get(id) !== undefined);
    if (unsettled.length === 0) return;
    this.#timer = this.#cache.schedule(() => {
      this.#timer = undefined;
      this.#polls += 1;
      this.#read(unsettled).then(
        () => this.#schedule(),
        (error) => this.update({ error: toApiError(error) }),
      );
    }, coverBatchPollIntervalMs);
  }

  #collect(): void {
    const covers: Record<string, BatchCover> = {};
    for (const id of this.#ids) {
      const cover = this.#cache.covers.get(id);
      if (cover) covers[id] = cover;
    }
    this.update({ covers });
  }
}
