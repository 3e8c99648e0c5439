'use client';

import { GenerateRoadmapForm, TaskList } from '@roadmap/react';
import { useRouter } from 'next/navigation';
import { paths } from './paths.js';

/** The generation form (on success: the new task's page) above the user's live task list. */
export function TaskListPanel() {
  const router = useRouter();
  return (
    <>
      <section className="demo-card" aria-label="New roadmap">
        <GenerateRoadmapForm onCreated={(response) => router.push(paths.task(response.task_id))} />
      </section>
      <TaskList getTaskHref={(task) => paths.task(task.task_id)} getRoadmapHref={paths.roadmap} />
    </>
  );
}
