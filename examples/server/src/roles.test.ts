import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  generateBody,
  type ServerProcess,
  startServerProcess,
  stopProcess,
  waitFor,
  waitForStatus,
} from './serverProcess.js';

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

describe.skipIf(!hasRedisServer())('roles api + worker on BullMQ (local redis-server)', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  let dataDir: string;
  const processes: ServerProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      redis.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      redis.once('exit', () => reject(new Error(`redis-server exited:\n${output}`)));
    });
    redisUrl = `redis://127.0.0.1:${port}`;
    dataDir = mkdtempSync(path.join(tmpdir(), 'roadmap-roles-'));
  });

  afterAll(async () => {
    await Promise.all(processes.map(stopProcess));
    redis?.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an API process enqueues, a worker process (health endpoints only) runs the task', async () => {
    const environment = {
      ROADMAP_DATA_DIR: dataDir,
      REDIS_URL: redisUrl,
      ROADMAP_DEMO_LATENCY_MS: '2',
      ROADMAP_LOG_LEVEL: 'warn',
    };
    const [apiProcess, worker] = await Promise.all([
      startServerProcess({ ...environment, ROADMAP_ROLE: 'api' }),
      startServerProcess({ ...environment, ROADMAP_ROLE: 'worker' }),
    ]);
    processes.push(apiProcess, worker);
    expect(worker.output()).toContain('Roadmap Kit worker (health endpoints only) listening on');
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/api/v1/roadmaps`)).status).toBe(404);
    expect((await fetch(`${apiProcess.url}/readyz`)).status).toBe(200);

    const { status, body } = await api<{ task_id: string; roadmap_id: string }>(
      apiProcess,
      'POST',
      '/roadmaps/generate',
      'alice',
      generateBody('Learn Go'),
    );
    expect(status).toBe(202);
    const task = await waitForStatus(apiProcess, 'alice', body.task_id, ['completed', 'partial_failure', 'failed']);
    expect(task.status).toBe('completed');
    const cover = await waitFor('the cover', async () => {
      const response = await api<{ status: string; cover_image_url: string }>(
        apiProcess,
        'GET',
        `/roadmap/${body.roadmap_id}/cover-image`,
        'alice',
      );
      return response.body.status === 'success' ? response.body : undefined;
    });
    const image = await fetch(`${apiProcess.url}${cover.cover_image_url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/svg+xml');

    worker.child.kill('SIGTERM');
    apiProcess.child.kill('SIGTERM');
    expect(await Promise.all([worker.exited, apiProcess.exited])).toEqual([0, 0]);
  }, 30_000);
});
