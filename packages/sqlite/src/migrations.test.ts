import { RoadmapError } from '@roadmap/core';
import { taskColumns, taskToRow } from '@roadmap/core/internal';
import { makeTaskRecord } from '@roadmap/core/testing';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, type Migration, migrate, migrations } from './migrations.js';
import { createSqliteStorage } from './sqliteStorage.js';

describe('migrate', () => {
  let database: BetterSqlite3.Database;
  const version = () => database.pragma('user_version', { simple: true });
  const tables = () =>
    database
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();

  beforeEach(() => {
    database = new BetterSqlite3(':memory:');
  });
  afterEach(() => {
    database.close();
  });

  it('applies every migration to an empty database once, then nothing', () => {
    expect(migrate(database)).toEqual(migrations.map((migration) => migration.version));
    expect(version()).toBe(latestSchemaVersion);
    expect(tables()).toEqual([
      'blob_deletions',
      'budget_reservations',
      'checkpoints',
      'content_item_versions',
      'content_items',
      'covers',
      'events',
      'roadmaps',
      'sweep_leases',
      'tasks',
    ]);
    expect(migrate(database)).toEqual([]);
    expect(version()).toBe(latestSchemaVersion);
  });

  it('applies only the migrations a database has not seen, in order', () => {
    migrate(database);
    const next: Migration = { version: latestSchemaVersion + 1, name: 'notes', sql: 'CREATE TABLE notes (id TEXT)' };
    expect(migrate(database, [...migrations, next])).toEqual([next.version]);
    expect(version()).toBe(next.version);
    expect(tables()).toContain('notes');
  });

  it('rolls a failing migration back entirely: no table of it, version unchanged', () => {
    migrate(database);
    const broken: Migration[] = [
      ...migrations,
      { version: latestSchemaVersion + 1, name: 'good', sql: 'CREATE TABLE good (id TEXT)' },
      { version: latestSchemaVersion + 2, name: 'broken', sql: 'CREATE TABLE half (id TEXT); NOT SQL' },
    ];
    expect(() => migrate(database, broken)).toThrow(`Migration ${latestSchemaVersion + 2} (broken) failed`);
    expect(version()).toBe(latestSchemaVersion);
    expect(tables()).not.toContain('good');
    expect(tables()).not.toContain('half');
  });

  it('upgrades a version 1 database (tasks kept as they were), then covers work', async () => {
    expect(migrate(database, migrations.slice(0, 1))).toEqual([1]);
    expect(tables()).not.toContain('covers');
    const record = makeTaskRecord();
    // The columns version 1 had (later versions added review, pause, usage and budget, with defaults).
    const later = ['pause_reason', 'review_round', 'usage', 'budget_usd'];
    const versionOne = taskColumns.filter((column) => !later.includes(column));
    const columns = versionOne.join(', ');
    const values = versionOne.map((column) => `@${column}`).join(', ');
    const {
      pause_reason: _reason,
      review_round: _round,
      usage: _usage,
      budget_usd: _budget,
      ...row
    } = taskToRow(record);
    database.prepare(`INSERT INTO tasks (${columns}) VALUES (${values})`).run(row);

    const storage = createSqliteStorage({ database });
    expect(version()).toBe(latestSchemaVersion);
    expect(await storage.getTask(record.task_id)).toEqual(record);
    const { roadmap_id, user_id, task_id, created_at } = record;
    const cover = await storage.ensureCover({ roadmap_id, user_id, task_id, created_at });
    expect(cover.status).toBe('not_started');
    const pending = await storage.transitionCover(record.roadmap_id, { from: ['not_started'], to: 'pending' });
    expect(pending?.status).toBe('pending');
    expect(await storage.getCovers([record.roadmap_id])).toEqual([pending]);
    expect(migrate(database)).toEqual([]);
  });

  it('refuses a schema newer than it knows with a storage_error', () => {
    database.pragma(`user_version = ${latestSchemaVersion + 3}`);
    let caught: unknown;
    try {
      migrate(database);
    } catch (error) {
      caught = error;
    }
    expect(RoadmapError.isInstance(caught) && caught.code).toBe('storage_error');
    expect(String(caught)).toMatch(/newer than the latest this @roadmap\/sqlite knows/);
  });

  it('rejects a list whose versions are not 1, 2, 3, …', () => {
    const gap: Migration[] = [...migrations, { version: latestSchemaVersion + 2, name: 'gap', sql: 'SELECT 1' }];
    expect(() => migrate(database, gap)).toThrow(`expected ${latestSchemaVersion + 1}`);
  });
});
