import type { RoadmapCache } from './roadmapCache.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';
import type { ConceptDetail, PartialTutorial, RoadmapEvent } from './wireTypes.js';

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
 * missed and the concept is read again. When its tutorial, resources or quiz completes or fails, the concept is read
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
  }

  /** Loads the concept again (its streamed text with it). */
  readonly refresh = async (): Promise<void> => {
    await this.load(
      (signal) => this.cache.client.getConcept(this.roadmapId, this.conceptId, { signal }),
      (data) => ({ data, streamingTutorial: data.tutorial ? null : (data.partial_tutorial ?? null) }),
    );
  };

  #receive(event: RoadmapEvent): void {
    if (event.type === 'content_delta') {
      if (event.roadmap_id !== this.roadmapId || event.concept_id !== this.conceptId) return;
      if (event.content_type !== 'tutorial') return;
      const held = this.getSnapshot().streamingTutorial?.content ?? '';
      if (event.offset > held.length) {
        // Some deltas were missed (the stream joined late): the server has the text so far.
        void this.refresh();
        return;
      }
      this.update({
        streamingTutorial: { content: held.slice(0, event.offset) + event.text, status: 'generating' },
      });
      return;
    }
    // Item events carry no roadmap id: one of another roadmap's concept with the same id costs a request too many.
    if ((event.type === 'concept_complete' || event.type === 'concept_failed') && event.concept_id === this.conceptId) {
      void this.refresh();
    }
  }
}
