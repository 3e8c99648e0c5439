/**
 * A value with listeners, read by `useSyncExternalStore` or any other binding (TanStack `Subscribable`, reduced to
 * what bindings need). A subclass learns when its first listener arrives and its last one leaves.
 */
export class Store<State> {
  #state: State;
  readonly #listeners = new Set<() => void>();

  constructor(initial: State) {
    this.#state = initial;
  }

  /** The current state: the same object until an update changes a field. */
  readonly getSnapshot = (): State => this.#state;

  /** Calls `listener` after each change; returns the function that stops it. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.watched();
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.unwatched();
    };
  };

  /** Replaces the state with a shallow merge of `patch`; listeners run only when a field changed. */
  update(patch: Partial<State>): void {
    const keys = Object.keys(patch) as (keyof State)[];
    if (keys.every((key) => Object.is(this.#state[key], patch[key]))) return;
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  /** Runs when the first listener subscribes. */
  protected watched(): void {}

  /** Runs when the last listener unsubscribes. */
  protected unwatched(): void {}
}

/**
 * Values by key, each with its own listeners: a change to one key wakes only that key's subscribers
 * (a task row, a cover) plus the `subscribeAll` listeners.
 */
export class KeyedStore<Value> {
  readonly #values = new Map<string, Value>();
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #allListeners = new Set<() => void>();

  get(key: string): Value | undefined {
    return this.#values.get(key);
  }

  /** Stores `value` under `key`; listeners run only when it is a different value. */
  set(key: string, value: Value): void {
    if (Object.is(this.#values.get(key), value)) return;
    this.#values.set(key, value);
    for (const listener of this.#listeners.get(key) ?? []) listener();
    for (const listener of this.#allListeners) listener();
  }

  /** Calls `listener` after each change of `key`; returns the function that stops it. */
  subscribe(key: string, listener: () => void): () => void {
    const listeners = this.#listeners.get(key) ?? new Set<() => void>();
    this.#listeners.set(key, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  /** Calls `listener` after each change of any key; returns the function that stops it. */
  subscribeAll(listener: () => void): () => void {
    this.#allListeners.add(listener);
    return () => {
      this.#allListeners.delete(listener);
    };
  }
}
