import { TaskList, UsageSummary } from '@roadmap/react';
import { useAppLabels } from '../appContext.js';
import { paths } from '../router.js';
import { PageHeader } from './PageHeader.js';

/** Every generation task of the user, live, with its cost; above them, what the user spent this budget period. */
export function TasksPage() {
  const labels = useAppLabels();
  return (
    <>
      <PageHeader title={labels.tasksTitle} intro={labels.tasksIntro} />
      <UsageSummary />
      <TaskList showUsage getTaskHref={(task) => paths.task(task.task_id)} getRoadmapHref={paths.roadmap} />
    </>
  );
}
