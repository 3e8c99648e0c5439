import { RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';

/** Names of the operations of a `Storage`. */
export type StorageMethod = Exclude<keyof Storage, 'specificationVersion'>;

/** One call that went through a faulty storage. */
export interface StorageCall {
  method: StorageMethod;
  args: readonly unknown[];
  /** Position among all calls, from 1. */
  index: number;
}

/** Decides whether a storage call fails. Called once per call, in call order. */
export type FaultPredicate = (call: StorageCall) => boolean;

export interface StorageFaultOptions {
  /** Which calls fail. Default: none (choose later with `faults.setFailOn`). */
  failOn?: FaultPredicate;
  /**
   * `before`: a failing call never reaches the storage, so nothing is written. `after`: the call runs, then the
   * caller gets the error anyway (a lost acknowledgement). Default: `before`.
   */
  timing?: 'before' | 'after';
  /** The error a failing call throws. Default: a retryable `RoadmapError` with code `storage_error`. */
  error?: (call: StorageCall) => unknown;
}

/** What a faulty storage saw, and a handle to change its faults. */
export interface StorageFaults {
  /** Every call, in order. */
  readonly calls: readonly StorageCall[];
  /** The calls that were made to fail, in order. */
  readonly failed: readonly StorageCall[];
  /** Replaces the predicate (`undefined`: no more faults), e.g. once a test's set-up is done. */
  setFailOn(predicate: FaultPredicate | undefined): void;
}

export type FaultyStorage<Inner extends Storage = Storage> = Inner & { readonly faults: StorageFaults };

/**
 * Wraps any `Storage` so that chosen calls throw. Combine with {@link faultOnce}, {@link faultTimes},
 * {@link onMethods} and {@link crashAfter}.
 *
 * @example
 * const storage = withStorageFaults(createMemoryStorage(), { failOn: faultOnce(onMethods('saveItem')) });
 */
export function withStorageFaults<Inner extends Storage>(
  storage: Inner,
  options: StorageFaultOptions = {},
): FaultyStorage<Inner> {
  const calls: StorageCall[] = [];
  const failed: StorageCall[] = [];
  let failOn = options.failOn;
  const timing = options.timing ?? 'before';
  const makeError =
    options.error ??
    ((call: StorageCall) =>
      new RoadmapError('storage_error', `Injected storage fault in ${call.method} (call ${call.index})`, {
        retryable: true,
      }));
  const faults: StorageFaults = {
    calls,
    failed,
    setFailOn(predicate) {
      failOn = predicate;
    },
  };
  const invoke = async (method: StorageMethod, original: (...args: unknown[]) => unknown, args: unknown[]) => {
    const call: StorageCall = { method, args, index: calls.length + 1 };
    calls.push(call);
    if (!failOn?.(call)) return original.apply(storage, args);
    failed.push(call);
    if (timing === 'after') await original.apply(storage, args);
    throw makeError(call);
  };
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'faults') return faults;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const original = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => invoke(property as StorageMethod, original, args);
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  }) as FaultyStorage<Inner>;
}

/** Selects calls to these methods. */
export function onMethods(...methods: StorageMethod[]): FaultPredicate {
  return (call) => methods.includes(call.method);
}

/** Fails only the first `count` calls `predicate` selects: a transient fault. Default predicate: every call. */
export function faultTimes(count: number, predicate: FaultPredicate = () => true): FaultPredicate {
  let remaining = count;
  return (call) => {
    if (remaining <= 0 || !predicate(call)) return false;
    remaining -= 1;
    return true;
  };
}

/** Fails only the first call `predicate` selects. Default predicate: every call. */
export function faultOnce(predicate?: FaultPredicate): FaultPredicate {
  return faultTimes(1, predicate);
}

export interface CrashOptions {
  /** Called once, with the first failing call, e.g. to abort the worker whose process "died". Default: none. */
  onCrash?: (call: StorageCall) => void;
}

/**
 * Simulates a process dying: the first `count` calls `predicate` selects succeed; from the next one it selects,
 * every call fails, whatever its method, as nothing a dead process does reaches storage. Default predicate:
 * every call.
 */
export function crashAfter(
  count: number,
  predicate: FaultPredicate = () => true,
  options: CrashOptions = {},
): FaultPredicate {
  let passed = 0;
  let crashed = false;
  return (call) => {
    if (crashed) return true;
    if (!predicate(call)) return false;
    if (passed < count) {
      passed += 1;
      return false;
    }
    crashed = true;
    options.onCrash?.(call);
    return true;
  };
}
