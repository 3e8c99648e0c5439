import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

describeWithDatabase('the budget sweep’s listing of paused tasks', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => pool.end());

  it('walks the index of paused tasks, not the stored history (P12recovery)', async () => {
    const schema = freshSchemaName();
    const storage = await createPostgresStorage({ pool, schema });
    try {
      const tasks = `"${schema}".tasks`;
      // 20,000 finished tasks and 3 paused ones: two on budget, one by its user.
      await pool.query(`
        INSERT INTO ${tasks} (task_id, user_id, roadmap_id, title, status, current_step, progress, failed_concepts,
          attempts, created_at, updated_at, request, pause_reason)
        SELECT 'task-' || lpad(n::text, 6, '0'), 'user-' || (n % 10), 'roadmap-' || n, 'Roadmap',
          CASE WHEN n > 20000 THEN 'paused' ELSE 'completed' END, 'done', '{}', '{}', 1, lpad(n::text, 8, '0'), 'x',
          '{}', CASE WHEN n > 20002 THEN 'user' WHEN n > 20000 THEN 'budget' END
        FROM generate_series(1, 20003) AS n`);
      await pool.query(`VACUUM ANALYZE ${tasks}`);
      const paused = await storage.listPausedTasks({ pauseReason: 'budget', limit: 100 });
      expect(paused.map((task) => task.task_id)).toEqual(['task-020001', 'task-020002']);
      const plan = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ${tasks}
         WHERE status = 'paused' AND pause_reason = $1 AND task_id > $2 ORDER BY task_id LIMIT $3`,
        ['budget', '', 100],
      );
      const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toContain('Index Scan using tasks_paused');
      // A handful of pages, whatever the number of finished tasks (a walk of any index of every task reads dozens).
      const buffers = Number(/Buffers: shared hit=(\d+)/.exec(text)?.[1] ?? Number.POSITIVE_INFINITY);
      expect(buffers).toBeLessThanOrEqual(5);
    } finally {
      await storage.close();
      await dropSchema(pool, schema);
    }
  });
});
