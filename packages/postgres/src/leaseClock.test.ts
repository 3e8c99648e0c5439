import type { TaskStore } from '@roadmap/core';
import { isoTime } from '@roadmap/core/internal';
import { makeTaskRecord } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { databaseNowMs } from './leaseClock.js';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

const leaseMs = 30_000;
const skewMs = 60_000;

describeWithDatabase('lease expiry on the database clock (leaseClock: database, the default)', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  afterAll(() => pool.end());

  /** The server's time, read like the storage reads it. */
  const serverNow = async () =>
    Number((await pool.query<{ now: string }>(`SELECT ${databaseNowMs} AS now`)).rows[0]?.now);

  let schema: string;
  let storages: PostgresStorage[] = [];
  /** The server's time when the test started: the frozen reading of the worker whose clock is right. */
  let start: number;
  /** A worker (its own storage on the shared schema) whose frozen clock reads `start + offsetMs`. */
  const worker = async (offsetMs: number) => {
    const now = () => start + offsetMs;
    const storage = await createPostgresStorage({ pool, schema, now, migrate: storages.length === 0 });
    storages.push(storage);
    const claim = (taskId: string, token: string, durationMs = leaseMs) =>
      storage.acquireLease(taskId, { token, now: now(), expiresAt: now() + durationMs, updatedAt: isoTime(now()) });
    return { storage, now, claim };
  };

  beforeEach(async () => {
    schema = freshSchemaName();
    start = await serverNow();
  });
  afterEach(async () => {
    for (const storage of storages) await storage.close();
    storages = [];
    await dropSchema(pool, schema);
  });

  it('a worker whose clock runs 60 s ahead cannot steal a live lease', async () => {
    const honest = await worker(0);
    const ahead = await worker(skewMs);
    const { task } = await honest.storage.createTask(makeTaskRecord());
    expect(await honest.claim(task.task_id, 'honest')).not.toBeNull();

    // By its own clock the honest lease ran out 30 s ago; on the server it has 30 s left.
    expect(await ahead.claim(task.task_id, 'ahead')).toBeNull();
    expect((await recoverable(ahead.storage, ahead.now())).map((orphan) => orphan.task_id)).not.toContain(task.task_id);
    expect(await honest.storage.getTask(task.task_id)).toMatchObject({ status: 'processing', lease_token: 'honest' });
  });

  it('a worker whose clock runs 60 s ahead holds its lease as long as it asked for on the server, not 60 s more', async () => {
    const ahead = await worker(skewMs);
    const { task } = await ahead.storage.createTask(makeTaskRecord());

    const beforeClaim = await serverNow();
    expect(await ahead.claim(task.task_id, 'ahead')).not.toBeNull();
    const afterClaim = await serverNow();
    const claimed = (await ahead.storage.getTask(task.task_id))?.lease_expires_at;
    expect(claimed).toBeGreaterThanOrEqual(beforeClaim + leaseMs);
    expect(claimed).toBeLessThanOrEqual(afterClaim + leaseMs);

    const beforeRenewal = await serverNow();
    expect(await ahead.storage.renewLease({ taskId: task.task_id, leaseToken: 'ahead' }, ahead.now() + leaseMs)).toBe(
      true,
    );
    const afterRenewal = await serverNow();
    const renewed = (await ahead.storage.getTask(task.task_id))?.lease_expires_at;
    expect(renewed).toBeGreaterThanOrEqual(beforeRenewal + leaseMs);
    expect(renewed).toBeLessThanOrEqual(afterRenewal + leaseMs);
  });

  it('a worker whose clock runs 60 s behind sees a dead lease as dead and recovers it', async () => {
    const honest = await worker(0);
    const behind = await worker(-skewMs);
    const { task } = await honest.storage.createTask(makeTaskRecord());
    // A lease with nothing left: on the server it is dead from the next statement on (as if its holder died).
    expect(await honest.claim(task.task_id, 'dead', 0)).not.toBeNull();

    expect((await recoverable(behind.storage, behind.now())).map((orphan) => orphan.task_id)).toContain(task.task_id);
    const recovered = await behind.claim(task.task_id, 'behind');
    expect(recovered).toMatchObject({ recovered: true, task: { lease_token: 'behind', attempts: 2 } });
  });

  it('a process whose clock runs 60 s ahead cannot take a live sweep lease', async () => {
    const honest = await worker(0);
    const ahead = await worker(skewMs);
    const sweep = (holder: string, now: number) => ({ name: 'recovery', holder, now, expiresAt: now + leaseMs });
    expect(await honest.storage.acquireSweepLease(sweep('honest', honest.now()))).toBe(true);
    expect(await ahead.storage.acquireSweepLease(sweep('ahead', ahead.now()))).toBe(false);
    await honest.storage.releaseSweepLease('recovery', 'honest');
    expect(await ahead.storage.acquireSweepLease(sweep('ahead', ahead.now()))).toBe(true);
  });

  it('with leaseClock: caller the times the caller passes decide, as in memory (for manual-clock tests)', async () => {
    const storage = await createPostgresStorage({ pool, schema, leaseClock: 'caller' });
    storages.push(storage);
    const { task } = await storage.createTask(makeTaskRecord());
    const now = Date.UTC(2026, 0, 1);
    await storage.acquireLease(task.task_id, { token: 'a', now, expiresAt: now + leaseMs, updatedAt: isoTime(now) });
    expect((await storage.getTask(task.task_id))?.lease_expires_at).toBe(now + leaseMs);
    const later = now + leaseMs;
    expect((await recoverable(storage, later)).map((orphan) => orphan.task_id)).toEqual([task.task_id]);
    expect(
      await storage.acquireLease(task.task_id, { token: 'b', now: later, expiresAt: later + 1, updatedAt: isoTime(0) }),
    ).toMatchObject({ recovered: true });
  });
});

/** The tasks a recovery sweep would take (every pending task too; these tests hold processing ones). */
function recoverable(storage: TaskStore, now: number) {
  return storage.listRecoverableTasks({ now, pendingUpdatedBefore: null, limit: 100 });
}
