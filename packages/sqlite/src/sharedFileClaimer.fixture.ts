/**
 * A separate process for `sqliteStorage.test.ts`: opens the shared file, prints `ready`, waits for a line on stdin,
 * then races the other processes to create one task by idempotency key, claim a task, and append events. Prints
 * what it won as one JSON line.
 * Run: node --conditions=@roadmap/source --import tsx sharedFileClaimer.fixture.ts <file> <name> <taskId>
 */
import { emptyProgress } from '@roadmap/core/internal';
import { makeTaskRecord } from '@roadmap/core/testing';
import { createSqliteStorage } from './sqliteStorage.js';

const [filename = '', name = '', taskId = ''] = process.argv.slice(2);
const storage = createSqliteStorage({ filename, busyTimeoutMs: 20_000 });
const eventCount = 500;
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();

const { created } = await storage.createTask(
  makeTaskRecord({
    task_id: `00000000-0000-4000-8000-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`,
    user_id: 'shared',
    roadmap_id: `shared-${name}`,
    idempotency_key: 'one-per-user',
  }),
);
const now = Date.now();
const claimed = await storage.acquireLease(taskId, {
  token: `token-${name}`,
  now,
  expiresAt: now + 60_000,
  updatedAt: new Date(now).toISOString(),
});
const seqs: number[] = [];
for (let index = 0; index < eventCount; index += 1) {
  const event = await storage.appendEvent({
    type: 'progress',
    task_id: taskId,
    user_id: 'shared',
    timestamp: new Date().toISOString(),
    step: 'queued',
    status: 'pending',
    message: `${name} ${index}`,
    progress: { ...emptyProgress },
  });
  if (event) seqs.push(event.seq);
}
storage.close();
process.stdout.write(`${JSON.stringify({ name, created, claimed: claimed !== null, seqs })}\n`);
