'use client';

import { TaskDetail } from '@roadmap/react';
import { paths } from './paths.js';

/** One task, live: stages, progress, concepts, events; cancel and retry. */
export function TaskPanel({ taskId }: { taskId: string }) {
  return <TaskDetail taskId={taskId} getRoadmapHref={paths.roadmap} />;
}
