// Captured at load, so test suites that install fake timers later do not stall the engine.
const realSetImmediate: ((callback: () => void) => unknown) | undefined =
  typeof globalThis.setImmediate === 'function' ? globalThis.setImmediate.bind(globalThis) : undefined;
const realSetTimeout = globalThis.setTimeout.bind(globalThis);

/**
 * Resolves after the event loop has run what is already due (timers and I/O callbacks), not only microtasks.
 * Used to let every model call that finished at the same moment start its successor before the bookkeeping of
 * any of them runs, so storage work overlaps model latency instead of delaying the next calls.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (realSetImmediate) realSetImmediate(resolve);
    else realSetTimeout(resolve, 0);
  });
}
