import { TaskListPanel } from '../components/TaskListPanel.js';

/** `/`: the generation form and the user's tasks, live. */
export default function HomePage() {
  return (
    <>
      <h1>Your roadmaps</h1>
      <p className="demo-intro">Describe what you want to learn; each roadmap is generated in the background.</p>
      <TaskListPanel />
    </>
  );
}
