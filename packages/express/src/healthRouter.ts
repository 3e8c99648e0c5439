import type { RoadmapEngine } from '@roadmap/core';
import { Router } from 'express';

/** A readiness check: resolves when its dependency answers, rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthRouterOptions {
  /**
   * More readiness checks by name, e.g. `{ redis: () => redis.ping() }` for a BullMQ queue. Default: none — the
   * built-in checks read one task from storage and, when the queue has a `ping()` method, ping the queue.
   */
  checks?: Record<string, ReadinessCheck>;
  /** Longest a readiness check may take before it counts as down. Default: 2000 ms. */
  timeoutMs?: number;
}

/** An id no task has: reading it is the cheapest storage round trip. */
const probeTaskId = '00000000-0000-4000-8000-000000000000';

/**
 * `GET /healthz` (the process is alive: always 200 `{ status: 'ok' }`) and `GET /readyz` (200 `{ status: 'ok' }`
 * when storage and the queue answer, else 503 `{ status: 'unavailable', detail }` naming what is down). Mount it
 * outside `/api/v1`, where orchestrators probe it; it needs no authentication and reveals no error messages.
 *
 * @example
 * app.use(createHealthRouter(engine, { checks: { redis: () => redis.ping() } }));
 */
export function createHealthRouter(engine: RoadmapEngine, options: HealthRouterOptions = {}): Router {
  const timeoutMs = options.timeoutMs ?? 2000;
  const queue = engine.queue as { ping?: () => Promise<unknown> };
  const checks: Record<string, ReadinessCheck> = {
    storage: () => engine.storage.getTask(probeTaskId),
    ...(typeof queue.ping === 'function' ? { queue: () => (queue.ping as () => Promise<unknown>).call(queue) } : {}),
    ...options.checks,
  };
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    response.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => passes(checks[name], timeoutMs)));
    const down = names.filter((_name, index) => !results[index]);
    response.setHeader('Cache-Control', 'no-store');
    if (down.length === 0) response.status(200).json({ status: 'ok' });
    else response.status(503).json({ status: 'unavailable', detail: `Not answering: ${down.join(', ')}.` });
  });
  return router;
}

async function passes(check: ReadinessCheck | undefined, timeoutMs: number): Promise<boolean> {
  if (check === undefined) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .then(
          () => true,
          () => false,
        ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
