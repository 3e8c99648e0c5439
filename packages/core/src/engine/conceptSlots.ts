/**
 * The bound of content generation (SPEC §2: `concurrency` concepts at once): at most `limit` holders have model
 * calls under way. A lane holds a slot from its concept's first call until every call of the concept answered; an
 * answer that did not parse is asked again under a slot of its own, served before new concepts. Waiting holders are
 * refused with the signal's reason once it aborts.
 */
export class ConceptSlots {
  private used = 0;
  /** Holders waiting for a slot: the ones asking again first, then lanes, each in arrival order. */
  private readonly waiting: { resolve: () => void; reject: (reason: unknown) => void; first: boolean }[] = [];
  private readonly onAbort = () => {
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.signal.reason);
  };

  constructor(
    /** How many holders may have calls under way at once (the task's `concurrency`). */
    readonly limit: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Resolves once a slot is held; `first` goes ahead of every waiting lane (a call asked again). */
  acquire(first = false): Promise<void> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    if (this.used < this.limit && this.waiting.length === 0) {
      this.used += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, first };
      const lanes = first ? this.waiting.findIndex((entry) => !entry.first) : -1;
      if (lanes === -1) this.waiting.push(waiter);
      else this.waiting.splice(lanes, 0, waiter);
    });
  }

  /** Gives a held slot back: to the next waiter when there is one. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.used -= 1;
  }

  /** Stops listening to the signal (the run's work is over). */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}
