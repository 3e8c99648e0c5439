import type { RoadmapEngine } from '@roadmap/core';

export interface RunWorkerOptions {
  /** Signals that shut the worker down gracefully; a second one during shutdown exits at once with code 1. Default: `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
  /** Runs after the engine stopped and its queue closed, before the process exits: close database pools, flush logs. Default: none. */
  onShutdown?: () => Promise<void>;
  /** Ends the process with the exit code once a signal's shutdown is done (0, or 1 when it failed). Default: `process.exit`. */
  exit?: (code: number) => void;
}

/** A worker started by {@link runWorker}. */
export interface RunningWorker {
  /**
   * Shuts down as a signal would — stops the engine (its claimed tasks are released and requeued at once), closes
   * its queue, runs `onShutdown` — but does not exit. Idempotent.
   */
  shutdown(): Promise<void>;
}

/**
 * Runs `engine` as a worker process: starts it, and on SIGTERM or SIGINT stops it gracefully — every task it holds
 * is released and requeued at once, so another worker continues it from its checkpoints without waiting for the
 * lease to expire — then closes the engine's queue, runs `onShutdown` and exits with code 0.
 *
 * @example
 * ```ts
 * const queue = createBullmqQueue({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * const engine = new RoadmapEngine({ storage, queue, model });
 * await runWorker(engine, { onShutdown: () => storage.close() });
 * ```
 */
export async function runWorker(engine: RoadmapEngine, options: RunWorkerOptions = {}): Promise<RunningWorker> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown: Promise<void> | undefined;

  const removeHandlers = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };

  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      try {
        await engine.stop();
        await engine.queue.close();
        await options.onShutdown?.();
      } finally {
        removeHandlers();
      }
    })();
    return shuttingDown;
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (shuttingDown) {
      console.error(`[roadmap] ${signal} again during shutdown: exiting now.`);
      exit(1);
      return;
    }
    shutdown().then(
      () => exit(0),
      (error: unknown) => {
        console.error('[roadmap] shutdown failed:', error);
        exit(1);
      },
    );
  }

  for (const signal of signals) process.on(signal, onSignal);
  try {
    await engine.start();
  } catch (error) {
    removeHandlers();
    throw error;
  }
  return { shutdown };
}
