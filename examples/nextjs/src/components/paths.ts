/** The app's URLs, in one place for links and navigation. */
export const paths = {
  home: () => '/',
  task: (taskId: string) => `/tasks/${encodeURIComponent(taskId)}`,
  roadmap: (roadmapId: string) => `/roadmaps/${encodeURIComponent(roadmapId)}`,
  concept: (roadmapId: string, conceptId: string) =>
    `/roadmaps/${encodeURIComponent(roadmapId)}?concept=${encodeURIComponent(conceptId)}`,
};
