import { ConceptObserver } from './conceptObserver.js';
import { type ResourceLoader, ResourceObserver } from './resourceObserver.js';
import type { RoadmapClient } from './roadmapClient.js';
import { RoadmapListObserver } from './roadmapListObserver.js';
import { KeyedStore } from './store.js';
import { TaskListObserver, type TaskListOptions } from './taskListObserver.js';
import { TaskObserver } from './taskObserver.js';
import type { BatchCover, Cover, RoadmapEvent } from './wireTypes.js';

/** What the cache needs of the observers it keeps (a `SharedObserver`, whatever its state). */
interface KeptObserver {
  readonly key: string;
  linger(): void;
  dispose(): void;
}

export interface RoadmapCacheOptions {
  /**
   * How long an observer nobody watches keeps its data and its socket before it stops and leaves the cache, so a
   * component that unmounts and mounts again at once (React StrictMode, a quick navigation) finds it live.
   * Default: 1000.
   */
  lingerMs?: number;
  /** Timers of lingering observers and cover polls. Default: the global ones, looked up at each call. */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/**
 * The observers of one {@link RoadmapClient}, shared by everything that watches through this cache (TanStack's
 * `QueryClient` + `QueryCache`): two components watching the same task or the same list share one observer, one
 * request and one socket; every task list shares the user's event stream. A new client (a new login) takes a new
 * cache: observers of the old one stop once nobody watches them.
 *
 * @example
 * const cache = new RoadmapCache(createRoadmapClient({ baseUrl: '', token: () => auth.token }));
 * const task = cache.task(taskId);
 * const stop = task.subscribe(() => render(task.getSnapshot()));
 */
export class RoadmapCache {
  /** The client every observer of this cache talks to. */
  readonly client: RoadmapClient;
  /** Covers known to this cache, by roadmap id: shared by every cover observer. */
  readonly covers = new KeyedStore<Cover | BatchCover>();
  /**
   * Ids of tasks known to be deleted (SPEC §9): by this cache's observers, or told by a `deleted` event. Lists leave
   * them out even when a read that started before the deletion still has them, and their later events (a replay
   * after a reconnect) reach no observer, so nothing brings them back.
   */
  readonly deletedTasks = new Set<string>();
  /** See {@link RoadmapCacheOptions.lingerMs}. */
  readonly lingerMs: number;
  readonly #options: RoadmapCacheOptions;
  readonly #observers = new Map<string, KeptObserver>();
  readonly #eventListeners = new Set<(event: RoadmapEvent) => void>();
  #stopEvents: (() => void) | undefined;

  constructor(client: RoadmapClient, options: RoadmapCacheOptions = {}) {
    this.client = client;
    this.lingerMs = options.lingerMs ?? 1000;
    this.#options = options;
  }

  /** The observer of one task (created on first request). */
  task(taskId: string): TaskObserver {
    return this.#get(`task ${taskId}`, (key) => new TaskObserver(this, key, taskId));
  }

  /** The observer of one concept, live with its streaming tutorial (created on first request). */
  concept(roadmapId: string, conceptId: string): ConceptObserver {
    return this.#get(`concept ${JSON.stringify([roadmapId, conceptId])}`, (key) => {
      return new ConceptObserver(this, key, roadmapId, conceptId);
    });
  }

  /** The observer of the caller's task list for a filter and page size (created on first request). */
  taskList({ status, limit }: TaskListOptions = {}): TaskListObserver {
    return this.#get(`tasks ${status} ${limit}`, (key) => new TaskListObserver(this, key, { status, limit }));
  }

  /** The observer of the caller's newest roadmaps, live over the user's event stream (created on first request). */
  roadmapList(): RoadmapListObserver {
    return this.#get('roadmaps', (key) => new RoadmapListObserver(this, key));
  }

  /**
   * The observer of one REST resource. `key` names the resource for the whole cache (e.g. `roadmap ${roadmapId}`):
   * the first request's `load` is the one used.
   */
  resource<Data>(key: string, load: ResourceLoader<Data>): ResourceObserver<Data> {
    return this.#get(`resource ${key}`, (cacheKey) => new ResourceObserver(this, cacheKey, load));
  }

  /**
   * Live events of all the caller's tasks, over one socket (`/api/v1/ws`) however many listen: it opens with the
   * first listener and closes when the last one stops. When it cannot resume without a gap (`resync`: events were
   * pruned while it was away), every task list of the cache loads itself again. Events of a task deleted before
   * (see {@link deletedTasks}) are dropped; its `deleted` event is delivered.
   */
  subscribeEvents(listener: (event: RoadmapEvent) => void): () => void {
    this.#eventListeners.add(listener);
    this.#stopEvents ??= this.client.subscribeEvents({
      onEvent: (event) => {
        if (event.type === 'deleted') this.deletedTasks.add(event.task_id);
        else if (this.deletedTasks.has(event.task_id)) return;
        for (const eventListener of this.#eventListeners) eventListener(event);
      },
      onResync: () => {
        // Events may be missing: lists and streaming concepts read themselves again.
        for (const observer of this.#observers.values())
          if (
            observer instanceof TaskListObserver ||
            observer instanceof ConceptObserver ||
            observer instanceof RoadmapListObserver
          )
            void observer.refresh();
      },
      // Stopped for good (its token was refused): the next listener opens a new stream.
      onStateChange: (state) => {
        if (state === 'closed') this.#stopEvents = undefined;
      },
    });
    return () => {
      if (!this.#eventListeners.delete(listener) || this.#eventListeners.size > 0) return;
      this.#stopEvents?.();
      this.#stopEvents = undefined;
    };
  }

  /** Stops every observer at once and empties the cache (its sockets close); later requests start afresh. */
  clear(): void {
    for (const observer of [...this.#observers.values()]) observer.dispose();
  }

  /** @internal Runs `callback` after `ms` with the cache's timers. */
  schedule(callback: () => void, ms: number): unknown {
    return (this.#options.setTimeout ?? ((run, delay) => setTimeout(run, delay)))(callback, ms);
  }

  /** @internal Cancels a timer of {@link schedule}; ignores `undefined`. */
  cancelTimer(handle: unknown): void {
    if (handle !== undefined) (this.#options.clearTimeout ?? ((timer) => clearTimeout(timer as number)))(handle);
  }

  /** @internal Puts a watched observer back under its key when it had left the cache (and nothing replaced it). */
  adopt(observer: KeptObserver): void {
    if (!this.#observers.has(observer.key)) this.#observers.set(observer.key, observer);
  }

  /** @internal Removes a disposed observer. */
  forget(observer: KeptObserver): void {
    if (this.#observers.get(observer.key) === observer) this.#observers.delete(observer.key);
  }

  #get<Observer extends KeptObserver>(key: string, create: (key: string) => Observer): Observer {
    let observer = this.#observers.get(key) as Observer | undefined;
    if (!observer) {
      observer = create(key);
      this.#observers.set(key, observer);
      // Dropped unless someone subscribes soon (a render that never committed).
      observer.linger();
    }
    return observer;
  }
}
