import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

describeWithDatabase('per-user status counts of listTasks', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => pool.end());

  it('come from an index-only scan, not from reading every task row of the user', async () => {
    const schema = freshSchemaName();
    const storage = await createPostgresStorage({ pool, schema });
    try {
      const tasks = `"${schema}".tasks`;
      await pool.query(`
        INSERT INTO ${tasks} (task_id, user_id, roadmap_id, title, status, current_step, progress, failed_concepts,
          attempts, created_at, updated_at, request)
        SELECT 'task-' || n, 'user-' || (n % 10), 'roadmap-' || n, 'Roadmap', 'completed', 'done', '{}', '{}', 1,
          lpad(n::text, 8, '0'), 'x', '{}'
        FROM generate_series(1, 20000) AS n`);
      await pool.query(`VACUUM ANALYZE ${tasks}`);
      const plan = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT status, count(*) AS count FROM ${tasks} WHERE user_id = $1 GROUP BY status`,
        ['user-3'],
      );
      const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toContain('Index Only Scan using tasks_user_status');
    } finally {
      await storage.close();
      await dropSchema(pool, schema);
    }
  });
});
