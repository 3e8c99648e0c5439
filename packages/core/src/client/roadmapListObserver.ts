import type { RoadmapCache } from './roadmapCache.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';
import type { Cover, RoadmapEvent, RoadmapSummary } from './wireTypes.js';

/** What a {@link RoadmapListObserver} knows: the first page of `GET /roadmaps`, newest first. */
export interface RoadmapListState extends LoadState {
  /** `[]` until loaded. */
  roadmaps: RoadmapSummary[];
}

/** Events after which a roadmap's summary may have changed: it appeared, its concepts progressed, its task ended. */
const summaryEvents = new Set<RoadmapEvent['type']>([
  'progress',
  'concept_complete',
  'completed',
  'failed',
  'cancelled',
  'review_requested',
  'paused',
  'resumed',
]);

/** Reads at most once per this many milliseconds while events arrive: a burst of progress is one request. */
const refreshIntervalMs = 1000;

/**
 * The caller's newest roadmaps (the first page of `GET /roadmaps`, up to 50), live over the user's event stream that
 * task lists share ({@link RoadmapCache.subscribeEvents}): a new roadmap appears once its framework is stored, a
 * roadmap's counts and task status follow its progress (the page is read again, at most once a second while events
 * arrive), a deleted one leaves at once (`deleted`), and `cover_updated` events go into the cache's covers, so every
 * `<CoverImage>` shows a new cover without asking.
 *
 * @example
 * const roadmaps = cache.roadmapList();
 * const stop = roadmaps.subscribe(() => render(roadmaps.getSnapshot().roadmaps));
 */
export class RoadmapListObserver extends SharedObserver<RoadmapListState> {
  #stopEvents: (() => void) | undefined;
  #timer: unknown;
  #due = false;

  constructor(cache: RoadmapCache, key: string) {
    super(cache, key, { roadmaps: [], isLoading: true, error: null });
  }

  protected start(): void {
    this.#stopEvents = this.cache.subscribeEvents((event) => this.#receive(event));
    void this.refresh();
  }

  protected override stop(): void {
    super.stop();
    this.#stopEvents?.();
    this.#stopEvents = undefined;
    this.cache.cancelTimer(this.#timer);
    this.#timer = undefined;
    this.#due = false;
  }

  /** Reads the first page again. */
  readonly refresh = async (): Promise<void> => {
    await this.load(
      (signal) => this.cache.client.listRoadmaps({ signal }),
      (page) => ({ roadmaps: page.roadmaps.filter((roadmap) => !this.cache.deletedTasks.has(roadmap.task_id ?? '')) }),
    );
  };

  #receive(event: RoadmapEvent): void {
    if (event.type === 'cover_updated') {
      const known = this.cache.covers.get(event.roadmap_id);
      const previous = known && 'retry_count' in known ? known : undefined;
      this.cache.covers.set(event.roadmap_id, {
        roadmap_id: event.roadmap_id,
        status: event.status,
        cover_image_url: event.cover_image_url,
        error: event.status === 'failed' ? (previous?.error ?? null) : null,
        retry_count: previous?.retry_count ?? 0,
      } satisfies Cover);
      return;
    }
    if (event.type === 'deleted') {
      // Gone at once, without a read; the cache's record of deleted tasks keeps it out of later reads.
      const { roadmaps } = this.getSnapshot();
      const kept = roadmaps.filter((roadmap) => roadmap.roadmap_id !== event.roadmap_id);
      if (kept.length !== roadmaps.length) this.update({ roadmaps: kept });
      return;
    }
    if (!summaryEvents.has(event.type)) return;
    this.#refreshSoon();
  }

  /** A read now when none ran this second, else one at the end of it. */
  #refreshSoon(): void {
    if (this.#timer !== undefined) {
      this.#due = true;
      return;
    }
    void this.refresh();
    const tick = () => {
      if (!this.#due) {
        this.#timer = undefined;
        return;
      }
      this.#due = false;
      void this.refresh();
      this.#timer = this.cache.schedule(tick, refreshIntervalMs);
    };
    this.#timer = this.cache.schedule(tick, refreshIntervalMs);
  }
}
