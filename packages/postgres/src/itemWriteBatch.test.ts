import type { NewRoadmapEvent } from '@roadmap/core';
import { makeEvent, makeTutorial, startTaskWithRoadmap } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

describeWithDatabase('group commit of item writes (PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  afterAll(() => pool.end());
  let schema: string;
  let storage: PostgresStorage;

  beforeEach(async () => {
    schema = freshSchemaName();
    storage = await createPostgresStorage({ pool, schema, leaseClock: 'caller' });
  });
  afterEach(async () => {
    await storage.close();
    await dropSchema(pool, schema);
  });

  const heldTask = () => startTaskWithRoadmap(storage);

  const progress = (completed: number) => ({
    completed,
    failed: 0,
    total: 12,
    percentage: Math.round(completed * 8.33),
  });

  it('stores each write with its event in order, the task patched as by the last write, a stale fence refused', async () => {
    const { record, fence, item } = await heldTask();
    const stale = { ...fence, leaseToken: 'someone-else' };
    const results = await Promise.all([
      storage.saveItem(
        fence,
        { ...item(0), content: makeTutorial() },
        { progress: progress(1) },
        makeEvent(record, 'a'),
      ),
      storage.saveItem(
        stale,
        { ...item(1), content: makeTutorial() },
        { progress: progress(9) },
        makeEvent(record, 'x'),
      ),
      storage.saveItem(
        fence,
        { ...item(2), content: makeTutorial() },
        { progress: progress(2) },
        makeEvent(record, 'b'),
      ),
      storage.setItemStatus(fence, item(3), 'generating', undefined, undefined, makeEvent(record, 'c')),
    ]);
    expect(
      results.map((result) => (typeof result === 'object' ? (result as { message?: string }).message : result)),
    ).toEqual(['a', false, 'b', 'c']);
    const events = await storage.listEvents({ taskId: record.task_id });
    expect(events.map((event) => (event as { message?: string }).message)).toEqual(['a', 'b', 'c']);
    expect(events.map((event) => event.seq)).toEqual(
      results.filter((result) => typeof result === 'object').map((result) => (result as { seq: number }).seq),
    );
    expect((await storage.getTask(record.task_id))?.progress).toEqual(progress(2));
    const statuses = (await storage.listItems(item(0).roadmapId))
      .filter((entry) => entry.kind === 'tutorial')
      .map((entry) => entry.status);
    expect(statuses).toEqual(['completed', 'pending', 'completed', 'generating']);
  });

  it('writes for two tasks in one batch: seqs in write order, each task patched once by its own written writes', async () => {
    const first = await heldTask();
    const second = await heldTask();
    const stale = { ...first.fence, leaseToken: 'someone-else' };
    const results = await Promise.all([
      storage.setItemStatus(
        first.fence,
        first.item(0),
        'generating',
        undefined,
        undefined,
        makeEvent(first.record, 'a'),
      ),
      storage.saveItem(
        second.fence,
        { ...second.item(0), content: makeTutorial() },
        { progress: progress(1) },
        makeEvent(second.record, 'b'),
      ),
      storage.saveItem(
        first.fence,
        { ...first.item(0), content: makeTutorial() },
        { progress: progress(3) },
        makeEvent(first.record, 'c'),
      ),
      storage.saveItem(stale, { ...first.item(1), content: makeTutorial() }, { progress: progress(7) }),
    ]);
    const seqs = results.slice(0, 3).map((result) => (result as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(results[3]).toBe(false);
    expect((await storage.getTask(first.record.task_id))?.progress).toEqual(progress(3));
    expect((await storage.getTask(second.record.task_id))?.progress).toEqual(progress(1));
    const firstItems = await storage.listItems(first.item(0).roadmapId);
    expect(firstItems.filter((entry) => entry.kind === 'tutorial').map((entry) => entry.status)).toEqual([
      'completed',
      'pending',
      'pending',
      'pending',
    ]);
  });

  it('stores content with quotes, backslashes, dollar signs and non-ASCII exactly', async () => {
    const { fence, item } = await heldTask();
    const tricky = `It's a \\"test\\" with $1, $$, E'\\x41', \\\\ backslashes, ünïcode 漢字 and emoji 🦀; DROP TABLE x; --`;
    const content = makeTutorial({ content: tricky, title: "O'Reilly \\ $2" });
    await Promise.all([
      storage.saveItem(fence, { ...item(0), content }),
      storage.saveItem(fence, { ...item(1), content }),
    ]);
    const stored = (await storage.listItems(item(0).roadmapId)).filter((entry) => entry.status === 'completed');
    expect(stored.map((entry) => entry.content)).toEqual([content, content]);
  });

  it('retries a failed batch write by write: only the write that fails rejects', async () => {
    const { record, fence, item } = await heldTask();
    // PostgreSQL refuses \u0000 in jsonb: this event fails, in the batch and alone.
    const poisoned = { ...makeEvent(record, 'bad \u0000 byte') } as NewRoadmapEvent;
    const outcomes = await Promise.allSettled([
      storage.setItemStatus(fence, item(0), 'generating', undefined, undefined, makeEvent(record, 'fine')),
      storage.setItemStatus(fence, item(1), 'generating', undefined, undefined, poisoned),
      storage.setItemStatus(fence, item(2), 'generating', undefined, undefined, makeEvent(record, 'also fine')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'storage_error' });
    const events = await storage.listEvents({ taskId: record.task_id });
    expect(events.map((event) => (event as { message?: string }).message)).toEqual(['fine', 'also fine']);
  });
});
