/**
 * The statement of `CheckpointStore.listRoadmapSummaries`: one page of a user's roadmap summaries in one query.
 * The keyset walks `roadmaps_user_newest` (strictly after `@afterCreatedAt`, `@afterRoadmapId` when `afterPosition`);
 * counts and the task come from the page's rows only (`content_items` by primary key, `tasks` by
 * `tasks_roadmap_unique`). `CROSS JOIN` pins the page as the outer loop: with a plain `JOIN` the planner scanned
 * every content item of the file, so the cost grew with the history (checked in `roadmapSummaryQuery.test.ts`).
 */
export function roadmapSummariesSql(afterPosition: boolean): string {
  const keyset = afterPosition ? ' AND (created_at, roadmap_id) < (@afterCreatedAt, @afterRoadmapId)' : '';
  return `WITH page AS (
       SELECT roadmap_id, created_at, body FROM roadmaps
       WHERE user_id = @userId${keyset}
       ORDER BY created_at DESC, roadmap_id DESC LIMIT @limit
     ), concepts AS (
       SELECT item.roadmap_id, MIN(item.status = 'completed') AS done
       FROM page CROSS JOIN content_items AS item ON item.roadmap_id = page.roadmap_id
       GROUP BY item.roadmap_id, item.concept_id
     ), counts AS (
       SELECT roadmap_id, COUNT(*) AS total, SUM(done) AS completed FROM concepts GROUP BY roadmap_id
     )
     SELECT page.roadmap_id, json_extract(page.body, '$.title') AS title, page.created_at,
       COALESCE(counts.total, 0) AS total_concepts, COALESCE(counts.completed, 0) AS completed_concepts,
       task.task_id, task.status AS task_status
     FROM page
     LEFT JOIN counts ON counts.roadmap_id = page.roadmap_id
     LEFT JOIN tasks AS task ON task.roadmap_id = page.roadmap_id
     ORDER BY page.created_at DESC, page.roadmap_id DESC`;
}
