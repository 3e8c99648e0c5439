import type { RoadmapEvent, RoadmapEventPayloads, RoadmapEventType } from '@roadmap/core';

let seq = 0;

/** A stored event as the engine delivers it, for tests of the display. */
export function testEvent<Type extends RoadmapEventType>(
  type: Type,
  payload: RoadmapEventPayloads[Type],
): RoadmapEvent {
  seq += 1;
  return {
    type,
    seq,
    task_id: 'task-1',
    user_id: 'cli',
    timestamp: '2026-01-01T00:00:00.000Z',
    ...payload,
  } as RoadmapEvent;
}
