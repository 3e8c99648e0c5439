import type { Storage } from '../../storage/storage.js';

/** One call a {@link ObservedStorage} passed on, updated when it settles. */
export interface ObservedCall {
  /** The storage method called, e.g. `saveItem`. */
  method: string;
  args: readonly unknown[];
  /** False while the call's promise is pending. */
  settled: boolean;
  /** What the call resolved with, once settled without error. */
  result?: unknown;
  /** What the call rejected with, once settled with an error. */
  error?: unknown;
}

/** A view of a storage that records every call made through it, for scenarios that check what storage answered. */
export interface ObservedStorage {
  /** Pass this to an engine: it forwards every call to the storage under test. */
  storage: Storage;
  /** Every call in the order it started (a live view). */
  readonly calls: readonly ObservedCall[];
  /** How many calls have not settled yet. */
  pending(): number;
}

export interface ObserveStorageOptions {
  /**
   * Runs when a call starts, before it reaches the storage; a returned promise holds the call until it settles: a
   * gate that lets a scenario decide the order of two writers. Default: none.
   */
  before?: (call: ObservedCall) => void | Promise<void>;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Wraps `storage` in a proxy that records each method call and its outcome. Methods run on the original object, so
 * storages built as classes with private fields work too.
 */
export function observeStorage(storage: Storage, options: ObserveStorageOptions = {}): ObservedStorage {
  const calls: ObservedCall[] = [];
  const proxy = new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call: ObservedCall = { method: String(property), args, settled: false };
        calls.push(call);
        const settle = (outcome: { result?: unknown; error?: unknown }) =>
          Object.assign(call, outcome, { settled: true });
        const forward = () => (value as (...parameters: unknown[]) => unknown).apply(target, args);
        const gate = options.before?.(call);
        let returned: unknown;
        try {
          returned = gate ? gate.then(forward) : forward();
        } catch (error) {
          settle({ error });
          throw error;
        }
        if (!isPromiseLike(returned)) {
          settle({ result: returned });
          return returned;
        }
        return Promise.resolve(returned).then(
          (result) => {
            settle({ result });
            return result;
          },
          (error: unknown) => {
            settle({ error });
            throw error;
          },
        );
      };
    },
  });
  return {
    storage: proxy,
    calls,
    pending: () => calls.filter((call) => !call.settled).length,
  };
}
