import type { CoverStore } from '@roadmap/core';
import { RoadmapError } from '@roadmap/core';
import { type CoverRow, coverFromRow, coverPatchColumns } from '@roadmap/core/internal';
import type pg from 'pg';
import { queryOn } from './database.js';
import { bindPatch } from './parameters.js';

/**
 * The cover part of the storage ({@link CoverStore}) on PostgreSQL, for the `covers` table of `schema` (already quoted). A status change is one
 * compare-and-set `UPDATE … WHERE roadmap_id = $1 AND status = ANY($2) RETURNING *`: concurrent changes wait on
 * the row lock and re-check the status on the committed row (READ COMMITTED), so exactly one of them wins.
 */
export function createCoverStore(pool: pg.Pool, schema: string): CoverStore {
  const covers = `${schema}.covers`;
  const run = queryOn(pool);
  const query = (operation: string, text: string, values: readonly unknown[]) => run<CoverRow>(operation, text, values);

  return {
    async ensureCover(cover) {
      await query(
        'ensure a cover',
        `INSERT INTO ${covers} (roadmap_id, user_id, task_id, cover_image_url, status, error, retry_count, provider,
           attribution, blob_key, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, NULL, 'not_started', NULL, 0, NULL, NULL, NULL, NULL, $4, $4)
         ON CONFLICT (roadmap_id) DO NOTHING`,
        [cover.roadmap_id, cover.user_id, cover.task_id, cover.created_at],
      );
      // A conflicting insert has committed (ON CONFLICT waited for it): this new statement's snapshot sees it.
      const result = await query('ensure a cover', `SELECT * FROM ${covers} WHERE roadmap_id = $1`, [cover.roadmap_id]);
      const row = result.rows[0];
      if (!row) throw new RoadmapError('storage_error', `Cover of ${cover.roadmap_id} was neither inserted nor found.`);
      return coverFromRow(row);
    },

    async getCover(roadmapId) {
      const result = await query('read a cover', `SELECT * FROM ${covers} WHERE roadmap_id = $1`, [roadmapId]);
      const row = result.rows[0];
      return row ? coverFromRow(row) : null;
    },

    async getCovers(roadmapIds) {
      if (roadmapIds.length === 0) return [];
      const result = await query('read covers', `SELECT * FROM ${covers} WHERE roadmap_id = ANY($1::text[])`, [
        [...roadmapIds],
      ]);
      return result.rows.map(coverFromRow);
    },

    async transitionCover(roadmapId, change) {
      const values: unknown[] = [roadmapId, [...change.from], change.to];
      const sets = ['status = $3', ...bindPatch(coverPatchColumns(change.patch), values)];
      const result = await query(
        'change a cover status',
        `UPDATE ${covers} SET ${sets.join(', ')} WHERE roadmap_id = $1 AND status = ANY($2::text[]) RETURNING *`,
        values,
      );
      const row = result.rows[0];
      return row ? coverFromRow(row) : null;
    },

    async listDueCovers(dueQuery) {
      const result = await query(
        'list due covers',
        `SELECT * FROM ${covers}
         WHERE (status = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1::bigint)
            OR (status IN ('pending', 'generating') AND updated_at < $2)
         ORDER BY updated_at, roadmap_id LIMIT $3`,
        [dueQuery.now, dueQuery.staleBefore, dueQuery.limit],
      );
      return result.rows.map(coverFromRow);
    },
  };
}
