import type { BatchCover, Cover, RoadmapApiError, RoadmapClient } from '@roadmap/core/client';
import { isSettledCover } from './coverObserver.js';
import { toApiError } from './errors.js';
import type { KeyedStore } from './store.js';
import { Store } from './store.js';

/** Poll interval while batch-generated covers are in progress. */
export const coverBatchPollIntervalMs = 2000;
/** Most polls of a batch (a minute at the default interval). */
export const coverBatchPollLimit = 30;
const batchSize = 100;

export interface CoverBatchState {
  covers: Record<string, BatchCover>;
  isLoading: boolean;
  error: RoadmapApiError | null;
}

const chunks = (ids: readonly string[]) =>
  Array.from({ length: Math.ceil(ids.length / batchSize) }, (_, index) =>
    ids.slice(index * batchSize, (index + 1) * batchSize),
  );

/**
 * The covers of a list of roadmaps: one batch read, then — once per observer, whatever effects run twice — one batch
 * generation of the missing ones, then polls until they settle. Results go to the provider's shared cover cache.
 */
export class CoverBatchObserver extends Store<CoverBatchState> {
  readonly #client: RoadmapClient;
  readonly #cache: KeyedStore<Cover | BatchCover>;
  #ids: readonly string[] = [];
  #loadedKey: string | undefined;
  #generated = false;
  #mounted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polls = 0;
  #stopListening: (() => void) | undefined;

  constructor(client: RoadmapClient, cache: KeyedStore<Cover | BatchCover>) {
    super({ covers: {}, isLoading: true, error: null });
    this.#client = client;
    this.#cache = cache;
  }

  mount(ids: readonly string[], autoGenerate: boolean): () => void {
    this.#mounted = true;
    const key = ids.join('\n');
    this.#stopListening?.();
    const stops = ids.map((id) => this.#cache.subscribe(id, () => this.#collect()));
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
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#stopListening?.();
      this.#stopListening = undefined;
    };
  }

  async #load(autoGenerate: boolean): Promise<void> {
    const ids = this.#ids;
    if (ids.length === 0) {
      this.update({ covers: {}, isLoading: false });
      return;
    }
    try {
      await this.#read(ids);
      const missing = ids.filter((id) => {
        const status = this.#cache.get(id)?.status;
        return status === 'not_started' || status === 'failed';
      });
      if (autoGenerate && missing.length > 0 && !this.#generated) {
        // Guarded by the observer, not the effect: StrictMode's second effect run finds it set.
        this.#generated = true;
        for (const chunk of chunks(missing)) {
          const response = await this.#client.batchGenerateCovers(chunk);
          for (const id of response.roadmap_ids) {
            const cover = this.#cache.get(id);
            if (cover && cover.status !== 'not_found') this.#cache.set(id, { ...cover, status: 'pending' });
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
      for (const cover of await this.#client.batchGetCovers(chunk)) this.#cache.set(cover.roadmap_id, cover);
    }
    this.#collect();
  }

  /** Polls the covers still in progress, while mounted. */
  #schedule(): void {
    if (!this.#mounted || this.#timer !== undefined || this.#polls >= coverBatchPollLimit) return;
    const unsettled = this.#ids.filter(
      (id) => !isSettledCover(this.#cache.get(id)) && this.#cache.get(id) !== undefined,
    );
    if (unsettled.length === 0) return;
    this.#timer = setTimeout(() => {
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
      const cover = this.#cache.get(id);
      if (cover) covers[id] = cover;
    }
    this.update({ covers });
  }
}
