import {
  type EstimateResponse,
  type GenerateRoadmapBody,
  type RoadmapApiError,
  type RoadmapClient,
  Store,
  toApiError,
} from '@roadmap/core/client';

/** What an {@link EstimateObserver} knows about the inputs it was last told. */
export interface EstimateState {
  /**
   * The server's estimate for the last valid inputs; kept while newer inputs are being asked about, `undefined`
   * before the first answer, once the inputs are invalid and after a failure.
   */
  estimate: EstimateResponse | undefined;
  /** True from a change of valid inputs until their answer or failure. */
  isLoading: boolean;
  /** Why the last question failed; `null` after an answer or when nothing was asked. */
  error: RoadmapApiError | null;
}

/** How long the inputs must rest before the estimate is asked for: 300 ms. */
export const estimateDelayMs = 300;

const idle: EstimateState = { estimate: undefined, isLoading: false, error: null };

/**
 * The cost estimate of a generation while its inputs change (`POST /roadmaps/estimate`, which calls no model):
 * asked `delayMs` after the last change of valid inputs; a change drops the question waiting and aborts the one in
 * flight, so a late answer never shows stale numbers. Framework-free: a binding subscribes (`subscribe`,
 * `getSnapshot`), tells it of changes (`change`) and stops it when unmounted (`stop`). It serves one form, so unlike
 * the cache's observers it is not shared.
 *
 * @example
 * const observer = new EstimateObserver(client);
 * observer.subscribe(() => render(observer.getSnapshot().estimate));
 * observer.change(valid ? body : undefined);
 */
export class EstimateObserver extends Store<EstimateState> {
  readonly #client: RoadmapClient;
  readonly #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #controller: AbortController | undefined;

  constructor(client: RoadmapClient, delayMs = estimateDelayMs) {
    super(idle);
    this.#client = client;
    this.#delayMs = delayMs;
  }

  /** The inputs changed: `body` is the valid request they make, `undefined` when they are invalid (shows nothing). */
  change(body: GenerateRoadmapBody | undefined): void {
    this.stop();
    if (body === undefined) {
      this.update(idle);
      return;
    }
    this.update({ isLoading: true });
    this.#timer = setTimeout(() => this.#ask(body), this.#delayMs);
  }

  /** Drops the question waiting for the inputs to rest and aborts the one in flight; the state stays as it is. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller?.abort();
    this.#controller = undefined;
  }

  #ask(body: GenerateRoadmapBody): void {
    const controller = new AbortController();
    this.#controller = controller;
    this.#client.estimate(body, { signal: controller.signal }).then(
      (estimate) => {
        if (!controller.signal.aborted) this.update({ estimate, isLoading: false, error: null });
      },
      (error: unknown) => {
        if (!controller.signal.aborted)
          this.update({ estimate: undefined, isLoading: false, error: toApiError(error) });
      },
    );
  }
}
