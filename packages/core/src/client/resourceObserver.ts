import type { RoadmapCache } from './roadmapCache.js';
import type { RoadmapClient } from './roadmapClient.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';

/** What a {@link ResourceObserver} knows of its resource. */
export interface ResourceState<Data> extends LoadState {
  /** The last answer; `undefined` until loaded. */
  data: Data | undefined;
}

/** Reads one resource with the cache's client; aborts when `signal` does. */
export type ResourceLoader<Data> = (client: RoadmapClient, signal: AbortSignal) => Promise<Data>;

/**
 * One REST resource (a roadmap, a concept, the list of roadmaps), shared by everyone watching it through the same
 * {@link RoadmapCache}: loaded when the first listener arrives and on `refresh()`; a newer load aborts the one in
 * flight.
 *
 * @example
 * const observer = cache.resource(`roadmap ${roadmapId}`, (client, signal) => client.getRoadmap(roadmapId, { signal }));
 */
export class ResourceObserver<Data> extends SharedObserver<ResourceState<Data>> {
  readonly #load: ResourceLoader<Data>;

  constructor(cache: RoadmapCache, key: string, load: ResourceLoader<Data>) {
    super(cache, key, { data: undefined, isLoading: true, error: null });
    this.#load = load;
  }

  protected start(): void {
    void this.refresh();
  }

  /** Loads the resource again, keeping the previous data until the answer arrives. */
  readonly refresh = async (): Promise<void> => {
    await this.load(
      (signal) => this.#load(this.cache.client, signal),
      (data) => ({ data }),
    );
  };
}
