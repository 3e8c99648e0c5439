import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './migrations.js';
import { roadmapSummariesSql } from './roadmapSummaryQuery.js';

describe('roadmapSummariesSql', () => {
  let database: BetterSqlite3.Database;
  beforeEach(() => {
    database = new BetterSqlite3(':memory:');
    migrate(database);
  });
  afterEach(() => database.close());

  const planOf = (afterPosition: boolean) =>
    (
      database
        .prepare(`EXPLAIN QUERY PLAN ${roadmapSummariesSql(afterPosition)}`)
        .all({ userId: 'u', limit: 51, ...(afterPosition ? { afterCreatedAt: 'c', afterRoadmapId: 'r' } : {}) }) as {
        detail: string;
      }[]
    ).map((row) => row.detail);

  it.each([false, true])('reads only the page (after a position: %s), never a whole table', (afterPosition) => {
    const plan = planOf(afterPosition);
    expect(plan.some((line) => /SEARCH roadmaps USING INDEX roadmaps_user_newest \(user_id=\?/.test(line))).toBe(true);
    expect(plan.some((line) => /^SEARCH item USING .*\(roadmap_id=\?/.test(line))).toBe(true);
    expect(plan.some((line) => /SEARCH task USING INDEX tasks_roadmap_unique/.test(line))).toBe(true);
    expect(plan.filter((line) => /^SCAN (roadmaps|item|task|content_items|tasks)\b/.test(line))).toEqual([]);
  });
});
