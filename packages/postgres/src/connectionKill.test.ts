import { randomBytes } from 'node:crypto';
import { createMemoryQueue, RoadmapEngine, RoadmapError, type RoadmapEvent } from '@roadmap/core';
import { auditStoredCalls, createScriptedModel } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

// SPEC §2: a storage error is an infrastructure fault, not a task failure. The server terminates the storage's
// connections (`pg_terminate_backend`) while tasks run: the statements in flight fail, the tasks are given back and
// taken again, and every one completes without asking the model for anything already stored.

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs`. */
async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `url` with `application_name` set, so the test can find the storage's connections on the server. */
function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

describeWithDatabase('PostgreSQL connections killed in the middle of a run', () => {
  const adminPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => adminPool.end());
  let schema: string | undefined;
  let engine: RoadmapEngine | undefined;
  const storages: PostgresStorage[] = [];

  afterEach(async () => {
    await engine?.stop();
    for (const storage of storages.splice(0)) await storage.close();
    if (schema) await dropSchema(adminPool, schema);
  });

  /**
   * Terminates every connection of the storage, again and again until one of them was running a statement (so a
   * statement in flight really fails); returns how many connections were terminated.
   */
  async function killConnections(applicationName: string): Promise<number> {
    let killed = 0;
    for (let round = 0; round < 2_000; round += 1) {
      const result = await adminPool.query<{ state: string | null; terminated: boolean }>(
        `SELECT state, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid()`,
        [applicationName],
      );
      killed += result.rows.filter((row) => row.terminated).length;
      if (result.rows.some((row) => row.terminated && row.state === 'active')) return killed;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error('No statement of the storage was in flight in 2 000 tries');
  }

  it('every task completes and no stored item is asked for again', async () => {
    schema = freshSchemaName();
    const applicationName = `roadmap-kill-${randomBytes(4).toString('hex')}`;
    const storage = await createPostgresStorage({
      connectionString: withApplicationName(databaseUrl, applicationName),
      schema,
    });
    // The audit reads through its own connections, which the test never kills.
    const auditStorage = await createPostgresStorage({ connectionString: databaseUrl, schema, migrate: false });
    storages.push(storage, auditStorage);
    const errors: unknown[] = [];
    const audit = auditStoredCalls(createScriptedModel({ latencyMs: 10 }), auditStorage);
    engine = new RoadmapEngine({
      storage,
      queue: createMemoryQueue(),
      model: audit.model,
      leaseMs: 2_000,
      recoveryIntervalMs: 300,
      concurrency: 3,
      taskConcurrency: 3,
      faultBackoff: { minDelayMs: 100, maxDelayMs: 800 },
      onError: (error) => errors.push(error),
    });
    const events: RoadmapEvent[] = [];
    engine.subscribe((event) => events.push(event));
    await engine.start();
    const taskIds: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const goal = `Learn Clojure ${index}`;
      const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: goal } } });
      audit.track({ taskId: task.task_id, goal });
      taskIds.push(task.task_id);
    }
    const stored = () => events.filter((event) => event.type === 'concept_complete').length;

    // Two kills, at different points of the run.
    await waitFor(() => stored() >= 5, '5 stored items');
    let killed = await killConnections(applicationName);
    await waitFor(() => stored() >= 40, '40 stored items', 60_000);
    killed += await killConnections(applicationName);

    // Read from storage, not from events: a terminal event lost with a killed connection must not hang the test.
    const readTasks = () => Promise.all(taskIds.map((taskId) => auditStorage.getTask(taskId)));
    const terminal = ['completed', 'partial_failure', 'failed', 'cancelled'];
    await waitFor(
      async () => (await readTasks()).every((task) => task !== null && terminal.includes(task.status)),
      'every task to end',
      60_000,
      50,
    );
    const tasks = await readTasks();
    const completed = tasks.filter((task) => task?.status === 'completed').length;
    const givenBack = events.filter((event) => event.type === 'progress' && event.step === 'queued').length - 4;
    const storageErrors = errors.filter((error) => RoadmapError.isInstance(error) && error.code === 'storage_error');
    console.info(
      `[postgres connections killed] tasks completed: ${completed}/${taskIds.length}; stored items asked again: ` +
        `${audit.repeated.length}; connections terminated: ${killed}; tasks given back: ${givenBack}; storage ` +
        `errors reported: ${storageErrors.length}; attempts: ${tasks.map((task) => task?.attempts).join(', ')}`,
    );
    expect(tasks.map((task) => task?.status)).toEqual(taskIds.map(() => 'completed'));
    expect(audit.repeated).toEqual([]);
    expect(givenBack + storageErrors.length).toBeGreaterThan(0);
  }, 120_000);
});
