import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEvent, makeTutorial, startTaskWithRoadmap } from '@roadmap/core/testing';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit, type WriteBatch } from './groupCommit.js';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

const opened: SqliteStorage[] = [];
afterEach(() => {
  for (const storage of opened.splice(0)) storage.close();
});

/** A storage with one task held by `token` and its roadmap planned, and the batches it reports. */
async function heldTask(token = 'token', filename = ':memory:') {
  const batches: WriteBatch[] = [];
  const storage = createSqliteStorage({ filename, onWriteBatch: (batch) => batches.push(batch) });
  opened.push(storage);
  return { storage, batches, ...(await startTaskWithRoadmap(storage, { token })) };
}

describe('SQLite group commit of item writes', () => {
  it('commits the writes of one turn together, each with its event, in order', async () => {
    const { storage, record, fence, item, batches } = await heldTask();
    const writes = [0, 1, 2, 3].map((index) =>
      storage.saveItem(
        fence,
        { ...item(index), content: makeTutorial() },
        { progress: { completed: index + 1, failed: 0, total: 4, percentage: 25 * (index + 1) } },
        makeEvent(record, `item ${index}`),
      ),
    );
    const stored = await Promise.all(writes);
    expect(batches.map((batch) => batch.writes)).toEqual([4]);
    const seqs = stored.map((event) => (typeof event === 'object' ? event.seq : Number.NaN));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await storage.getTask(record.task_id))?.progress.completed).toBe(4);
    const tutorials = (await storage.listItems(item(0).roadmapId)).filter((entry) => entry.kind === 'tutorial');
    expect(tutorials.map((entry) => entry.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });

  it('refuses a write whose fence failed and commits the others of its batch', async () => {
    const { storage, record, fence, item } = await heldTask();
    const stale = { ...fence, leaseToken: 'someone-else' };
    const [kept, refused] = await Promise.all([
      storage.setItemStatus(fence, item(0), 'generating', undefined, undefined, makeEvent(record, 'kept')),
      storage.setItemStatus(stale, item(1), 'generating', undefined, undefined, makeEvent(record, 'refused')),
    ]);
    expect(kept).toMatchObject({ type: 'progress', message: 'kept' });
    expect(refused).toBe(false);
    const statuses = (await storage.listItems(item(0).roadmapId)).map((entry) => entry.status);
    expect(statuses.slice(0, 2)).toEqual(['generating', 'pending']);
    expect((await storage.listEvents({ taskId: record.task_id })).map((event) => event.type)).toEqual(['progress']);
  });

  it('resolves a write only after its commit, and close() commits what was accepted', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'roadmap-group-commit-'));
    try {
      const filename = join(directory, 'roadmap.db');
      const { storage, fence, item } = await heldTask('token', filename);
      let settled = false;
      const write = storage.saveItem(fence, { ...item(0), content: makeTutorial() }).then((result) => {
        settled = true;
        return result;
      });
      await Promise.resolve();
      expect(settled).toBe(false);
      // Not committed yet: another connection does not see it.
      const reader = new BetterSqlite3(filename, { readonly: true });
      const completed = () =>
        reader.prepare("SELECT count(*) FROM content_items WHERE status = 'completed'").pluck().get();
      expect(completed()).toBe(0);
      storage.close();
      expect(await write).toBe(true);
      expect(completed()).toBe(1);
      reader.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('createGroupCommit', () => {
  it('rolls back a write that throws alone, with a storage_error naming it; the others commit', async () => {
    const database = new BetterSqlite3(':memory:');
    database.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
    const commits = createGroupCommit(database, undefined);
    const insert = (id: number, text: string | null) =>
      commits.write('insert a note', () => database.prepare('INSERT INTO notes VALUES (?, ?)').run(id, text).changes);
    const outcomes = await Promise.allSettled([insert(1, 'one'), insert(2, null), insert(3, 'three')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'storage_error' });
    expect(String((outcomes[1] as PromiseRejectedResult).reason.message)).toContain('insert a note');
    expect(database.prepare('SELECT id FROM notes ORDER BY id').pluck().all()).toEqual([1, 3]);
    database.close();
  });

  it('rejects every write of a batch whose transaction cannot begin (file locked), storing none', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'roadmap-group-commit-'));
    const filename = join(directory, 'notes.db');
    const database = new BetterSqlite3(filename);
    const holder = new BetterSqlite3(filename);
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 0');
      database.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)');
      const commits = createGroupCommit(database, undefined);
      holder.exec('BEGIN IMMEDIATE'); // another process holds the write lock
      const writes = [1, 2].map((id) =>
        commits.write('insert a note', () => database.prepare('INSERT INTO notes VALUES (?)').run(id)),
      );
      const outcomes = await Promise.allSettled(writes);
      holder.exec('ROLLBACK');
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'storage_error', retryable: true });
      expect(database.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
    } finally {
      holder.close();
      database.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
