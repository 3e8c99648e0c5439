import type { RoadmapApiError } from './clientErrors.js';
import type { RoadmapCache } from './roadmapCache.js';
import { Store } from './store.js';
import { toApiError } from './toApiError.js';

/** The part of every shared observer's state that says how its last load went. */
export interface LoadState {
  isLoading: boolean;
  /** The last failed load or action; `null` after a successful load. */
  error: RoadmapApiError | null;
}

/**
 * An observer that a {@link RoadmapCache} shares among everyone watching the same thing (a task, a task list, a
 * resource), so they share one request and one socket. It starts (loads, connects) when its first listener
 * subscribes and stops the cache's `lingerMs` after the last one left: a component that unmounts and mounts again
 * at once (React StrictMode, a quick navigation) finds it still live. One nobody subscribes to within `lingerMs` of
 * its creation leaves the cache too.
 */
export abstract class SharedObserver<State extends LoadState> extends Store<State> {
  /** The cache that shares this observer; its `client` is the one the observer talks to. */
  readonly cache: RoadmapCache;
  /** The cache's key of this observer. */
  readonly key: string;
  /** True from `start()` until `stop()`: loaded or loading, and connected if it follows a stream. */
  protected live = false;
  #timer: unknown;
  #controller: AbortController | undefined;

  constructor(cache: RoadmapCache, key: string, initial: State) {
    super(initial);
    this.cache = cache;
    this.key = key;
  }

  /** Loads and connects; runs when the first listener arrives (again after a `stop()`). */
  protected abstract start(): void;

  /** Aborts the load in flight; a subclass that connects also disconnects. */
  protected stop(): void {
    this.#controller?.abort();
  }

  /**
   * Runs `request` as this observer's one load: a newer load or `stop()` aborts it. On success the state takes the
   * patch `apply` returns, with `isLoading: false` and `error: null`; on failure, the error. Resolves to whether it
   * succeeded (`false` when aborted too).
   */
  protected async load<Value>(
    request: (signal: AbortSignal) => Promise<Value>,
    apply: (value: Value) => Partial<State>,
  ): Promise<boolean> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.update({ isLoading: true } as Partial<State>);
    try {
      const value = await request(controller.signal);
      if (controller.signal.aborted) return false;
      this.update({ ...apply(value), isLoading: false, error: null });
      return true;
    } catch (error) {
      if (!controller.signal.aborted) this.update({ isLoading: false, error: toApiError(error) } as Partial<State>);
      return false;
    }
  }

  protected override watched(): void {
    this.cache.cancelTimer(this.#timer);
    this.#timer = undefined;
    this.cache.adopt(this);
    if (this.live) return;
    this.live = true;
    this.start();
  }

  protected override unwatched(): void {
    this.linger();
  }

  /** @internal Schedules `dispose()` after the cache's `lingerMs`, unless a listener arrives first. */
  linger(): void {
    this.cache.cancelTimer(this.#timer);
    this.#timer = this.cache.schedule(() => this.dispose(), this.cache.lingerMs);
  }

  /** Stops at once and leaves the cache: the next request for the same thing gets a new observer. */
  dispose(): void {
    this.cache.cancelTimer(this.#timer);
    this.#timer = undefined;
    this.cache.forget(this);
    if (!this.live) return;
    this.live = false;
    this.stop();
  }
}
