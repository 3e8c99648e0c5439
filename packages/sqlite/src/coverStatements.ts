import type { CoverRecord, CoverStore } from '@roadmap/core';
import { type CoverRow, coverColumns, coverFromRow, coverPatchColumns } from '@roadmap/core/internal';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache } from './connection.js';
import { bindPatch } from './rows.js';
import { guard } from './storageError.js';

/**
 * The cover part of the storage ({@link CoverStore}) on SQLite. Every status change is one compare-and-set
 * `UPDATE … WHERE status IN (…) RETURNING *`, so the guarantees hold across connections and processes sharing the
 * file.
 */
export function createCoverStore(database: BetterSqlite3.Database): CoverStore {
  const prepare = createStatementCache(database);
  const insertCover = prepare(
    `INSERT INTO covers (${coverColumns.join(', ')})
     VALUES (@roadmap_id, @user_id, @task_id, NULL, 'not_started', NULL, 0, NULL, NULL, NULL, NULL,
       @created_at, @created_at)
     ON CONFLICT (roadmap_id) DO NOTHING`,
  );
  const selectCover = prepare('SELECT * FROM covers WHERE roadmap_id = ?');
  const selectCovers = prepare('SELECT * FROM covers WHERE roadmap_id IN (SELECT value FROM json_each(?))');
  const selectDue = prepare(
    `SELECT * FROM covers
     WHERE (status = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now)
        OR (status IN ('pending', 'generating') AND updated_at < @staleBefore)
     ORDER BY updated_at, roadmap_id LIMIT @limit`,
  );

  const read = (row: unknown): CoverRecord | null => (row === undefined ? null : coverFromRow(row as CoverRow));

  return {
    async ensureCover(cover) {
      return guard('ensureCover', () => {
        insertCover.run({
          roadmap_id: cover.roadmap_id,
          user_id: cover.user_id,
          task_id: cover.task_id,
          created_at: cover.created_at,
        });
        const stored = read(selectCover.get(cover.roadmap_id));
        if (!stored) throw new Error(`Cover of ${cover.roadmap_id} was neither inserted nor found.`);
        return stored;
      });
    },

    async getCover(roadmapId) {
      return guard('getCover', () => read(selectCover.get(roadmapId)));
    },

    async getCovers(roadmapIds) {
      return guard('getCovers', () => {
        if (roadmapIds.length === 0) return [];
        return (selectCovers.all(JSON.stringify(roadmapIds)) as CoverRow[]).map(coverFromRow);
      });
    },

    async transitionCover(roadmapId, change) {
      return guard('transitionCover', () => {
        const { assignments, values } = bindPatch(coverPatchColumns(change.patch));
        const statement = prepare(
          `UPDATE covers SET ${['status = @to', ...assignments].join(', ')}
           WHERE roadmap_id = @roadmapId AND status IN (SELECT value FROM json_each(@from)) RETURNING *`,
        );
        return read(statement.get({ ...values, roadmapId, to: change.to, from: JSON.stringify(change.from) }));
      });
    },

    async listDueCovers(query) {
      return guard('listDueCovers', () => {
        const rows = selectDue.all({ now: query.now, staleBefore: query.staleBefore, limit: query.limit });
        return (rows as CoverRow[]).map(coverFromRow);
      });
    },
  };
}
