/** A value with listeners, read by `useSyncExternalStore` (TanStack `Subscribable`, reduced to what hooks need). */
export class Store<State> {
  #state: State;
  readonly #listeners = new Set<() => void>();

  constructor(initial: State) {
    this.#state = initial;
  }

  readonly getSnapshot = (): State => this.#state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  /** Replaces the state with a shallow merge of `patch`; listeners run only when a field changed. */
  update(patch: Partial<State>): void {
    const keys = Object.keys(patch) as (keyof State)[];
    if (keys.every((key) => Object.is(this.#state[key], patch[key]))) return;
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }
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

  set(key: string, value: Value): void {
    if (Object.is(this.#values.get(key), value)) return;
    this.#values.set(key, value);
    for (const listener of this.#listeners.get(key) ?? []) listener();
    for (const listener of this.#allListeners) listener();
  }

  subscribe(key: string, listener: () => void): () => void {
    const listeners = this.#listeners.get(key) ?? new Set<() => void>();
    this.#listeners.set(key, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  subscribeAll(listener: () => void): () => void {
    this.#allListeners.add(listener);
    return () => {
      this.#allListeners.delete(listener);
    };
  }
}
