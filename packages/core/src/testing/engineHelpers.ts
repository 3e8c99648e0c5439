import type { RoadmapEvent, RoadmapEventType } from '../domain/events.js';
import type { RoadmapEngine } from '../engine/engine.js';
import { nextTurn } from './manualClock.js';

/** Deterministic ids: `00000000-0000-4000-8000-000000000001`, … (valid UUID v4 shape). */
export function sequentialIds(prefix = 0): () => string {
  let next = 0;
  return () => {
    next += 1;
    return `00000000-0000-4000-8${String(prefix).padStart(3, '0')}-${String(next).padStart(12, '0')}`;
  };
}

/** Resolves with the next event of `type` (optionally for one task) that `engine` delivers. */
export function nextEvent<Type extends RoadmapEventType>(
  engine: RoadmapEngine,
  type: Type,
  taskId?: string,
): Promise<Extract<RoadmapEvent, { type: Type }>> {
  return new Promise((resolve) => {
    const unsubscribe = engine.on(type, (event) => {
      if (taskId !== undefined && event.task_id !== taskId) return;
      unsubscribe();
      resolve(event as Extract<RoadmapEvent, { type: Type }>);
    });
  });
}

/**
 * Resolves with the task's first terminal event with `seq > after`, whether it is already in the log or still to
 * come. Pass the `seq` of the last event before a retry to wait for the retry's outcome.
 */
export function terminalEvent(engine: RoadmapEngine, taskId: string, after = 0): Promise<RoadmapEvent> {
  const isTerminal = (event: RoadmapEvent) =>
    event.task_id === taskId &&
    event.seq > after &&
    (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled');
  return new Promise((resolve, reject) => {
    const unsubscribe = engine.subscribe((event) => {
      if (!isTerminal(event)) return;
      unsubscribe();
      resolve(event);
    });
    engine
      .listEvents({ taskId, after })
      .then((events) => {
        const found = events.find(isTerminal);
        if (!found) return;
        unsubscribe();
        resolve(found);
      })
      .catch(reject);
  });
}

/** `seq` of the task's latest event (0 when none). */
export async function latestSeq(engine: RoadmapEngine, taskId: string): Promise<number> {
  const events = await engine.listEvents({ taskId });
  return events.at(-1)?.seq ?? 0;
}

/** Lets every promise chain that can progress without time passing do so. */
export async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await nextTurn();
}
