/** Why a run of a task was stopped. */
export type RunAbortKind = 'cancelled' | 'lease_lost' | 'stopping' | 'crashed' | 'paused';

/** Abort reason of a task run: an `AbortError` (so `isAbortError` holds) that says why. */
export class RunAbort extends Error {
  readonly kind: RunAbortKind;
  constructor(kind: RunAbortKind, message?: string) {
    super(message ?? `Task run stopped: ${kind}`);
    this.name = 'AbortError';
    this.kind = kind;
  }
}

export function runAbortKind(signal: AbortSignal): RunAbortKind | undefined {
  return signal.reason instanceof RunAbort ? signal.reason.kind : undefined;
}

/**
 * A run's signal has one listener per in-flight call (often more than Node's default of 10 for an
 * `EventTarget`); lift the limit so Node does not warn about a leak. No-op outside Node.
 */
export function allowManyListeners(signal: AbortSignal): void {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const events = nodeProcess?.getBuiltinModule?.('node:events') as
    | { setMaxListeners?: (count: number, ...targets: EventTarget[]) => void }
    | undefined;
  events?.setMaxListeners?.(0, signal);
}
