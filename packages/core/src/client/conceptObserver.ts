import type { RoadmapCache } from './roadmapCache.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';
import type { ConceptDetail, PartialTutorial, RoadmapEvent } from './wireTypes.js';

type ContentDelta = Extract<RoadmapEvent, { type: 'content_delta' }>;

/** What a {@link ConceptObserver} knows of its concept. */
export interface ConceptState extends LoadState {
  /** The concept and its content (each part `null` until generated); `undefined` until loaded. */
  data: ConceptDetail | undefined;
  /**
   * The tutorial's text while it streams in (`generating`), or kept from a generation that stopped (`failed`:
   * incomplete); `null` once the tutorial is complete or when nothing streamed (SPEC §7 streaming).
   */
  streamingTutorial: PartialTutorial | null;
}

/**
 * One concept, live (SPEC §7 streaming): loaded with `GET …/concepts/{concept_id}` — its `partial_tutorial` is the
 * text streamed so far — and continued by the `content_delta` events of the user's stream (shared by the cache),
 * applied at their offsets: a delta at offset 0 starts the text again, one beyond the text held means some were
 * missed and the concept is read again. Deltas that arrive while the concept is being read wait for its answer and
 * then continue it (those the answer already holds change nothing), so a slow read is neither lost nor repeated.
 * When its tutorial, resources or quiz completes or fails, or the user stream could not resume, the concept is read
 * again. Shared by everyone watching it through the same cache.
 *
 * @example
 * const concept = cache.concept(roadmapId, conceptId);
 * concept.subscribe(() => render(concept.getSnapshot().streamingTutorial?.content));
 */
export class ConceptObserver extends SharedObserver<ConceptState> {
  readonly roadmapId: string;
  readonly conceptId: string;
  #stopEvents: (() => void) | undefined;
  /** Reads of the concept in flight (a newer one aborts the older, which still counts until it settles). */
  #reading = 0;
  /** Deltas received while the concept is being read, applied once it answers. */
  #waiting: ContentDelta[] = [];

  constructor(cache: RoadmapCache, key: string, roadmapId: string, conceptId: string) {
    super(cache, key, { data: undefined, isLoading: true, error: null, streamingTutorial: null });
    this.roadmapId = roadmapId;
    this.conceptId = conceptId;
  }

  protected start(): void {
    // Listening first: deltas that arrive while the concept loads are not lost (the load's text wins, then they
    // continue it).
    this.#stopEvents = this.cache.subscribeEvents((event) => this.#receive(event));
    void this.refresh();
  }

  protected override stop(): void {
    super.stop();
    this.#stopEvents?.();
    this.#stopEvents = undefined;
    this.#waiting = [];
  }

  /** Loads the concept again (its streamed text with it). */
  readonly refresh = async (): Promise<void> => {
    this.#reading += 1;
    try {
      await this.load(
        (signal) => this.cache.client.getConcept(this.roadmapId, this.conceptId, { signal }),
        (data) => ({ data, streamingTutorial: data.tutorial ? null : (data.partial_tutorial ?? null) }),
      );
    } finally {
      this.#reading -= 1;
    }
    if (this.#reading > 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    // One of them may find a gap and read again: the rest then wait for that read.
    for (const delta of waiting) this.#receiveDelta(delta);
  };

  #receiveDelta(delta: ContentDelta): void {
    if (this.#reading > 0) {
      this.#waiting.push(delta);
      return;
    }
    const streaming = this.getSnapshot().streamingTutorial;
    const held = streaming?.content ?? '';
    if (delta.offset > held.length) {
      // Some deltas were missed (the stream joined late): the server has the text so far.
      void this.refresh();
      return;
    }
    // Already in the text held (it arrived while the concept was read, and the answer had it).
    if (streaming?.status === 'generating' && held.startsWith(delta.text, delta.offset)) return;
    this.update({ streamingTutorial: { content: held.slice(0, delta.offset) + delta.text, status: 'generating' } });
  }

  #receive(event: RoadmapEvent): void {
    if (event.type === 'content_delta') {
      if (event.roadmap_id !== this.roadmapId || event.concept_id !== this.conceptId) return;
      if (event.content_type !== 'tutorial') return;
      this.#receiveDelta(event);
      return;
    }
    // Item events carry no roadmap id: one of another roadmap's concept with the same id costs a request too many.
    if ((event.type === 'concept_complete' || event.type === 'concept_failed') && event.concept_id === this.conceptId) {
      void this.refresh();
    }
  }
}
