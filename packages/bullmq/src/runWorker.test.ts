import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBullmqQueue } from './bullmqQueue.js';
import {
  blockedFetches,
  checkRedis,
  redisUrl,
  removeKeys,
  uniquePrefix,
  waitFor,
  waitForBlockedFetch,
  within,
} from './redisTestSupport.js';

const available = await checkRedis();
const fixture = fileURLToPath(new URL('./runWorker.fixture.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe.skipIf(!available)('runWorker', () => {
  it('on SIGTERM releases the held task to another worker at once, runs onShutdown and exits 0', async () => {
    const prefix = uniquePrefix('run-worker');
    const other = createBullmqQueue({ connection: redisUrl, prefix, onError: () => {} });
    const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', fixture], {
      cwd: repositoryRoot,
      env: { ...process.env, REDIS_URL: redisUrl, ROADMAP_TEST_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /task (\S+)/.test(output) && output.includes('hanging'), 'the worker to hold the task', {
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      const taskId = /task (\S+)/.exec(output)?.[1];
      await other.waitUntilReady();
      const blockedBefore = await blockedFetches(prefix);
      let claimed = false;
      const claim = other.claim({ leaseMs: 30_000, workerId: 'other' }).then((job) => {
        claimed = true;
        return job;
      });
      // The other claimer waits in Redis while the worker holds the task.
      await waitForBlockedFetch(prefix, { count: blockedBefore + 1 });
      expect(claimed).toBe(false);

      child.kill('SIGTERM');
      // The worker's lease is 30 s, longer than this test may run: the other claimer can only get the task because
      // the stopping worker requeued it.
      expect((await claim)?.taskId).toBe(taskId);
      expect(await within(exited, 5_000, 'still running')).toBe(0);
      expect(output).toContain('on-shutdown');
    } finally {
      child.kill('SIGKILL');
      await other.close();
      await removeKeys(prefix);
    }
  });
});
