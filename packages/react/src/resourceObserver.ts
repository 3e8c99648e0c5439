import type { RoadmapApiError } from '@roadmap/core/client';
import { isAbort, toApiError } from './errors.js';
import { Store } from './store.js';

export interface ResourceState<Data> {
  data: Data | undefined;
  isLoading: boolean;
  error: RoadmapApiError | null;
}

/** Loads one resource and keeps the latest answer; a newer load aborts the one in flight. */
export class ResourceObserver<Data> extends Store<ResourceState<Data>> {
  #controller: AbortController | undefined;
  #load: ((signal: AbortSignal) => Promise<Data>) | undefined;

  constructor() {
    super({ data: undefined, isLoading: true, error: null });
  }

  /** Loads with a new loader (the key changed): the previous data is dropped. */
  start(load: (signal: AbortSignal) => Promise<Data>): void {
    this.#load = load;
    this.update({ data: undefined });
    void this.refresh();
  }

  readonly refresh = async (): Promise<void> => {
    const load = this.#load;
    if (!load) return;
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.update({ isLoading: true });
    try {
      const data = await load(controller.signal);
      if (!controller.signal.aborted) this.update({ data, isLoading: false, error: null });
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) return;
      this.update({ isLoading: false, error: toApiError(error) });
    }
  };

  stop(): void {
    this.#controller?.abort();
  }
}
