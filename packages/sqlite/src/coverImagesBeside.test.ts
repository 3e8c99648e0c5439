import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoModel, createMemoryQueue, RoadmapEngine, type RoadmapEvent } from '@roadmap/core';
import { terminalEvent } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

const request = { preferences: { learning_goal: 'Learn watercolor painting' } } as const;

let directory: string;
const opened: Array<{ engine: RoadmapEngine; storage: SqliteStorage }> = [];

afterEach(async () => {
  for (const { engine, storage } of opened.splice(0)) {
    await engine.stop();
    storage.close();
  }
  rmSync(directory, { recursive: true, force: true });
});

/** A process: its own connection to the database file and an engine given no blob store. */
async function openProcess(): Promise<{ engine: RoadmapEngine; storage: SqliteStorage }> {
  const storage = createSqliteStorage({ filename: join(directory, 'roadmap.db') });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue(),
    model: createDemoModel({ latencyMs: 0 }),
    onError: () => {},
  });
  await engine.start();
  opened.push({ engine, storage });
  return { engine, storage };
}

function coverSucceeded(engine: RoadmapEngine, roadmapId: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = engine.on('cover_updated', (event: Extract<RoadmapEvent, { type: 'cover_updated' }>) => {
      if (event.roadmap_id !== roadmapId || event.status !== 'success') return;
      stop();
      resolve();
    });
  });
}

describe('covers beside the SQLite file', () => {
  it('an engine given no blob store keeps covers in cover-images/ beside the database: a restart still serves them', async () => {
    directory = mkdtempSync(join(tmpdir(), 'roadmap-covers-beside-'));
    const first = await openProcess();
    const { task } = await first.engine.generate({ userId: 'u1', request });
    const succeeded = coverSucceeded(first.engine, task.roadmap_id);
    await terminalEvent(first.engine, task.task_id);
    await succeeded;
    const cover = await first.engine.covers.get(task.roadmap_id, { userId: 'u1' });
    const stored = await first.storage.getCover(task.roadmap_id);
    expect(readdirSync(join(directory, 'cover-images'), { recursive: true })).toContain(stored?.blob_key);
    await first.engine.stop();
    first.storage.close();
    opened.splice(0);

    const second = await openProcess();
    expect(await second.engine.covers.get(task.roadmap_id, { userId: 'u1' })).toEqual(cover);
    const blob = await second.engine.blobStore.get(stored?.blob_key as string);
    expect(blob?.contentType).toBe('image/svg+xml');
  });

  it('an in-memory database keeps covers in memory and creates no folder', async () => {
    directory = mkdtempSync(join(tmpdir(), 'roadmap-covers-beside-'));
    const storage = createSqliteStorage({ filename: ':memory:' });
    expect(storage.defaultBlobStore).toBeUndefined();
    storage.close();
    const file = createSqliteStorage({ filename: join(directory, 'roadmap.db') });
    expect(file.defaultBlobStore).toBeTypeOf('function');
    file.close();
    expect(existsSync(join(directory, 'cover-images'))).toBe(false);
  });
});
