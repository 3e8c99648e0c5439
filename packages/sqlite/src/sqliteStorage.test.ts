import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserAtLimit, RoadmapError } from '@roadmap/core';
import { isoTime } from '@roadmap/core/internal';
import {
  conceptIdsOf,
  makeEvent,
  makeQuiz,
  makeRoadmap,
  makeTaskRecord,
  makeTutorial,
  type ResidueQuery,
  runStorageConformance,
} from '@roadmap/core/testing';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, migrate } from './migrations.js';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

/**
 * Starts `script` in a new Node process (TypeScript through tsx, workspace packages from source). `ready` resolves
 * when it printed `ready`; `go()` lets it continue; `result` is its last output line once it exited with 0.
 */
function startProcess(script: string, args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', script, ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const result = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve(output.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`${script} exited with ${code}: ${errors}`));
    });
  });
  result.catch(() => markReady());
  return { ready, result, go: () => child.stdin.end('go\n') };
}

/** A fresh directory in the system's temp dir; `remove` deletes it with the database and its WAL files. */
function temporaryDirectory() {
  const path = mkdtempSync(join(tmpdir(), 'roadmap-sqlite-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Id columns the residue check reads in every table that has them. */
const idColumns = { user_id: 'userIds', task_id: 'taskIds', roadmap_id: 'roadmapIds', blob_key: 'blobKeys' } as const;

/** Rows of every table (read from the schema, so tables added later count too) that name one of the ids. */
function residueIn(database: BetterSqlite3.Database) {
  return async (ids: ResidueQuery): Promise<Record<string, number>> => {
    const found: Record<string, number> = {};
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const columns = database.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
      const conditions: string[] = [];
      const values: string[] = [];
      for (const [column, key] of Object.entries(idColumns)) {
        if (!columns.includes(column)) continue;
        conditions.push(`${column} IN (SELECT value FROM json_each(?))`);
        values.push(JSON.stringify(ids[key]));
      }
      if (conditions.length === 0) continue;
      const sql = `SELECT count(*) FROM "${table}" WHERE ${conditions.join(' OR ')}`;
      const rows = database
        .prepare(sql)
        .pluck()
        .get(...values) as number;
      if (rows > 0) found[table] = rows;
    }
    return found;
  };
}

runStorageConformance('sqlite (file)', ({ clock }) => {
  const directory = temporaryDirectory();
  const storage = createSqliteStorage({ filename: join(directory.path, 'roadmap.db'), now: clock.now });
  return {
    storage,
    residue: residueIn(storage.database),
    cleanup: () => {
      storage.close();
      directory.remove();
    },
  };
});

runStorageConformance('sqlite (:memory:)', ({ clock }) => {
  const storage = createSqliteStorage({ filename: ':memory:', now: clock.now });
  return { storage, cleanup: () => storage.close(), residue: residueIn(storage.database) };
});

describe('createSqliteStorage on a file', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  let filename: string;
  const opened: SqliteStorage[] = [];
  const open = (options: { now?: () => number } = {}) => {
    const storage = createSqliteStorage({ filename, ...options });
    opened.push(storage);
    return storage;
  };
  const lease = (token: string, now = Date.UTC(2026, 0, 1)) => ({
    token,
    now,
    expiresAt: now + 30_000,
    updatedAt: isoTime(now),
  });

  beforeEach(() => {
    directory = temporaryDirectory();
    filename = join(directory.path, 'roadmap.db');
  });
  afterEach(() => {
    for (const storage of opened.splice(0)) storage.close();
    directory.remove();
  });

  it('keeps tasks, roadmaps, items, checkpoints and events across close and reopen', async () => {
    const first = open({ now: () => Date.UTC(2026, 0, 1, 12) });
    const record = makeTaskRecord({ idempotency_key: 'key', error_message: null, completed_at: null });
    await first.createTask(record);
    const fence = { taskId: record.task_id, leaseToken: 'token' };
    await first.acquireLease(record.task_id, lease('token'));
    const roadmap = makeRoadmap({ roadmap_id: record.roadmap_id }, { stages: 2, conceptsPerModule: 3 });
    await first.saveRoadmap(fence, roadmap);
    const [one, two] = conceptIdsOf(roadmap) as [string, string];
    await first.saveItem(fence, {
      roadmapId: roadmap.roadmap_id,
      conceptId: one,
      kind: 'tutorial',
      content: makeTutorial(),
    });
    await first.saveItem(
      fence,
      { roadmapId: roadmap.roadmap_id, conceptId: two, kind: 'quiz', content: makeQuiz(6) },
      { progress: { completed: 2, failed: 0, total: 18, percentage: 11 }, lease_expires_at: 1.5 },
    );
    await first.setItemStatus(
      fence,
      { roadmapId: roadmap.roadmap_id, conceptId: two, kind: 'resources' },
      'failed',
      'x',
    );
    await first.saveCheckpoint(fence, 'intent', { parsed_goal: 'Go', nested: [1, null, { a: true }] });
    await first.saveCheckpoint(fence, 'nothing', null);
    await first.appendEvent(makeEvent(record, 'one'));
    await first.appendEvent(makeEvent(record, 'two'), fence);

    const read = async (storage: SqliteStorage) => ({
      task: await storage.getTask(record.task_id),
      tasks: await storage.listTasks({}),
      roadmap: await storage.getRoadmap(roadmap.roadmap_id),
      roadmaps: await storage.listRoadmaps(record.user_id),
      items: await storage.listItems(roadmap.roadmap_id),
      checkpoints: await storage.getCheckpoints(record.task_id),
      events: await storage.listEvents({}),
    });
    const before = await read(first);
    expect(before.task?.lease_expires_at).toBe(1.5);
    expect(before.items.filter((entry) => entry.status !== 'pending')).toHaveLength(3);
    first.close();

    const reopened = open();
    expect(await read(reopened)).toEqual(before);
    const next = await reopened.appendEvent(makeEvent(record, 'three'));
    expect(next?.seq).toBeGreaterThan(Math.max(...before.events.map((event) => event.seq)));
    expect((await reopened.createTask({ ...makeTaskRecord(), idempotency_key: 'key' })).created).toBe(false);
  });

  it('configures WAL, NORMAL sync, foreign keys and a busy timeout', () => {
    const storage = open();
    const pragma = (name: string) => storage.database.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(1);
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('busy_timeout')).toBe(5_000);
    expect(pragma('user_version')).toBe(latestSchemaVersion);
  });

  it('migrates once: reopening and migrating again change nothing', async () => {
    const first = open();
    await first.createTask(makeTaskRecord());
    const schema = () =>
      first.database
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .all();
    const before = schema();
    expect(migrate(first.database)).toEqual([]);
    const second = open();
    expect(migrate(second.database)).toEqual([]);
    expect(second.database.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(schema()).toEqual(before);
    expect((await second.listTasks({})).total).toBe(1);
  });

  it('refuses a file whose schema is newer than the package, without touching it', async () => {
    open().close();
    const raw = new BetterSqlite3(filename);
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    raw.close();
    const attempt = () => createSqliteStorage({ filename });
    expect(attempt).toThrow(RoadmapError);
    expect(attempt).toThrow(
      `schema is at version ${latestSchemaVersion + 1}, newer than the latest this @roadmap/sqlite knows (${latestSchemaVersion})`,
    );
    try {
      attempt();
    } catch (error) {
      expect(RoadmapError.isInstance(error) && error.code).toBe('storage_error');
    }
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    writeFileSync(filename, 'this is not a database, just some text that is long enough to look like a header');
    expect(() => createSqliteStorage({ filename })).toThrow(/roadmap\.db.*file is not a database/);
  });

  it('refuses a directory that does not exist with a storage_error', () => {
    let caught: unknown;
    try {
      createSqliteStorage({ filename: join(directory.path, 'missing', 'roadmap.db') });
    } catch (error) {
      caught = error;
    }
    expect(RoadmapError.isInstance(caught) && caught.code).toBe('storage_error');
  });

  it('turns SQLite errors into storage_error with the cause, e.g. after close', async () => {
    const storage = open();
    storage.close();
    storage.close();
    const error = await storage.getTask('x').catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error) && error.code).toBe('storage_error');
    expect((error as Error).message).toMatch(/^SQLite getTask failed: /);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('rejects a duplicate task_id with a storage_error; the same record with a key again is deduplicated', async () => {
    const storage = open();
    const record = makeTaskRecord();
    await storage.createTask(record);
    const error = await storage.createTask({ ...record, title: 'other' }).catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error) && error.code).toBe('storage_error');
    expect((error as Error).message).toMatch(/already exists/);
    const keyed = makeTaskRecord({ idempotency_key: 'retried' });
    await storage.createTask(keyed);
    expect(await storage.createTask({ ...keyed, title: 'again' })).toEqual({
      task: keyed,
      created: false,
      event: null,
    });
    expect(await storage.getTask(record.task_id)).toEqual(record);
  });

  it('uses a connection the caller owns, configured and migrated, and leaves it open on close', async () => {
    const database = new BetterSqlite3(filename);
    try {
      const storage = createSqliteStorage({ database });
      expect(storage.database).toBe(database);
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      await storage.createTask(makeTaskRecord());
      storage.close();
      expect(database.open).toBe(true);
      expect(database.prepare('SELECT count(*) FROM tasks').pluck().get()).toBe(1);
    } finally {
      database.close();
    }
  });

  describe('two storages on one file (two connections)', () => {
    it("see each other's writes at once", async () => {
      const a = open();
      const b = open();
      const record = makeTaskRecord();
      await a.createTask(record);
      expect(await b.getTask(record.task_id)).toEqual(record);
      const claim = await b.acquireLease(record.task_id, lease('b'));
      expect(await a.getTask(record.task_id)).toEqual(claim !== null && !isUserAtLimit(claim) ? claim.task : null);
      const roadmap = makeRoadmap({ roadmap_id: record.roadmap_id });
      expect(await b.saveRoadmap({ taskId: record.task_id, leaseToken: 'b' }, roadmap)).toBe(true);
      expect(await a.getRoadmap(roadmap.roadmap_id)).toEqual(roadmap);
      const event = await a.appendEvent(makeEvent(record));
      expect(await b.listEvents({ taskId: record.task_id })).toEqual([event]);
    });

    it('give a task to exactly one of 50 concurrent claimers, and fence out the loser', async () => {
      const a = open();
      const b = open();
      const record = makeTaskRecord();
      await a.createTask(record);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          (index % 2 === 0 ? a : b).acquireLease(record.task_id, lease(`token-${index}`)),
        ),
      );
      const winners = results.flatMap((result) => (result === null || isUserAtLimit(result) ? [] : [result]));
      expect(winners).toHaveLength(1);
      const stored = await b.getTask(record.task_id);
      expect(stored).toMatchObject({ attempts: 1, lease_token: winners[0]?.task.lease_token });

      const later = lease('taker', Date.UTC(2026, 0, 1) + 30_000);
      const taken = await b.acquireLease(record.task_id, later);
      expect(taken).toMatchObject({ previousStatus: 'processing', recovered: true });
      const loser = { taskId: record.task_id, leaseToken: winners[0]?.task.lease_token ?? '' };
      expect(await a.saveCheckpoint(loser, 'intent', 'stale')).toBe(false);
      expect(await a.appendEvent(makeEvent(record), loser)).toBeNull();
      expect(
        await a.transitionTask(record.task_id, { from: ['processing'], to: 'completed', leaseToken: loser.leaseToken }),
      ).toBeNull();
    });

    it('create one task for one idempotency key, whichever connection asks', async () => {
      const a = open();
      const b = open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? a : b).createTask(makeTaskRecord({ idempotency_key: 'burst' })),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.task.task_id)).size).toBe(1);
    });
  });

  it('keeps its guarantees across 4 processes writing the same file at once (busy timeout, CAS, seq)', async () => {
    const setup = open();
    const record = makeTaskRecord({ user_id: 'shared' });
    await setup.createTask(record);
    const here = dirname(fileURLToPath(import.meta.url));
    const processes = ['p1', 'p2', 'p3', 'p4'].map((name) =>
      startProcess(
        join(here, 'sharedFileClaimer.fixture.ts'),
        [filename, name, record.task_id],
        join(here, '../../..'),
      ),
    );
    await Promise.all(processes.map((child) => child.ready));
    for (const child of processes) child.go();
    const results = (await Promise.all(processes.map((child) => child.result))).map(
      (output) => JSON.parse(output) as { created: boolean; claimed: boolean; seqs: number[] },
    );
    // The processes really overlapped: each one's range of seqs interleaves with another's.
    const ranges = results.map((result) => [result.seqs[0] ?? 0, result.seqs.at(-1) ?? 0] as const);
    expect(
      ranges.some(([start, end], index) => ranges.some(([other], at) => at !== index && other > start && other < end)),
    ).toBe(true);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
    const seqs = results.flatMap((result) => result.seqs);
    expect(new Set(seqs).size).toBe(2_000);
    for (const result of results) expect(result.seqs).toEqual([...result.seqs].sort((x, y) => x - y));
    const listed = await setup.listEvents({ taskId: record.task_id, limit: 10_000 });
    expect(listed.map((event) => event.seq)).toEqual([...seqs].sort((x, y) => x - y));
    expect((await setup.listTasks({ userId: 'shared' })).total).toBe(2);
    expect(await setup.getTask(record.task_id)).toMatchObject({ status: 'processing', attempts: 1 });
  });
});
