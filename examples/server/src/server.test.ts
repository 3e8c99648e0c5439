import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqliteStorage } from '@roadmap/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer } from './fakeOpenAIServer.js';
import {
  api,
  generateBody,
  runFailingServer,
  type ServerProcess,
  startServerProcess,
  stopProcess,
  type TaskBody,
  tokenFor,
  waitFor,
  waitForStatus,
} from './serverProcess.js';

/** `ws` (a root dev dependency, untyped here): only what the shutdown test needs. */
interface TestSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
const WebSocketClient = createRequire(import.meta.url)('ws') as new (url: string) => TestSocket;

let dataDir: string;
const running: ServerProcess[] = [];

async function start(environment: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ ROADMAP_DATA_DIR: dataDir, ROADMAP_LOG_LEVEL: 'warn', ...environment });
  running.push(server);
  return server;
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'roadmap-server-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map(stopProcess));
  rmSync(dataDir, { recursive: true, force: true });
});

interface GenerateResponse {
  task_id: string;
  roadmap_id: string;
  status: string;
}

interface RoadmapBody {
  roadmap_id: string;
  stages: { modules: { concepts: { concept_id: string }[] }[] }[];
}

describe('example server (child process, SQLite)', () => {
  it('serves health, generates a roadmap with a cover, and serves the cover bytes', async () => {
    const server = await start({ ROADMAP_DEMO_LATENCY_MS: '2' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/roadmaps`)).status).toBe(401);

    const generated = await api<GenerateResponse>(server, 'POST', '/roadmaps/generate', 'alice', generateBody());
    expect(generated.status).toBe(202);
    const task = await waitForStatus(server, 'alice', generated.body.task_id, [
      'completed',
      'partial_failure',
      'failed',
    ]);
    expect(task.status).toBe('completed');
    const roadmapId = task.roadmap_id ?? generated.body.roadmap_id;

    const roadmap = await api<RoadmapBody>(server, 'GET', `/roadmaps/${roadmapId}`, 'alice');
    expect(roadmap.status).toBe(200);
    const conceptId = roadmap.body.stages[0]?.modules[0]?.concepts[0]?.concept_id;
    expect(conceptId).toBeTruthy();
    const concept = await api<{ tutorial: unknown; quiz: unknown }>(
      server,
      'GET',
      `/roadmaps/${roadmapId}/concepts/${conceptId}`,
      'alice',
    );
    expect(concept.status).toBe(200);
    expect(concept.body.tutorial).not.toBeNull();
    expect((await api(server, 'GET', `/roadmaps/${roadmapId}`, 'mallory')).status).toBe(403);

    const cover = await waitFor('the cover', async () => {
      const { body } = await api<{ status: string; cover_image_url: string | null }>(
        server,
        'GET',
        `/roadmap/${roadmapId}/cover-image`,
        'alice',
      );
      return body.status === 'success' ? body : undefined;
    });
    expect(cover.cover_image_url).toMatch(/^\/api\/v1\/cover-images\//);
    const image = await fetch(`${server.url}${cover.cover_image_url}`);
    expect(image.status).toBe(200);
    // The offline artwork is SVG, served so that it can run nothing.
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await image.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('cancels 100 running or pending tasks with 100 concurrent requests', async () => {
    const server = await start({ ROADMAP_DEMO_LATENCY_MS: '3000' });
    // The generate rate limit is 10 per user and minute: one task for each of 100 users.
    const users = Array.from({ length: 100 }, (_, index) => `user-${index}`);
    const tasks = await Promise.all(
      users.map(async (user) => {
        const { status, body } = await api<GenerateResponse>(
          server,
          'POST',
          '/roadmaps/generate',
          user,
          generateBody(),
        );
        expect(status).toBe(202);
        return { user, taskId: body.task_id };
      }),
    );
    const cancels = await Promise.all(
      tasks.map(({ user, taskId }) =>
        api<{ success: boolean; previous_status: string }>(server, 'POST', `/roadmaps/tasks/${taskId}/cancel`, user, {
          reason: 'test',
        }),
      ),
    );
    expect(cancels.map((cancel) => cancel.status)).toEqual(tasks.map(() => 200));
    for (const cancel of cancels) {
      expect(cancel.body.success).toBe(true);
      expect(['pending', 'processing']).toContain(cancel.body.previous_status);
    }
    const ended = await Promise.all(
      tasks.map(({ user, taskId }) => waitForStatus(server, user, taskId, ['cancelled', 'completed', 'failed'])),
    );
    expect(ended.map((task: TaskBody) => task.status)).toEqual(tasks.map(() => 'cancelled'));
    expect(server.output()).not.toMatch(/"status":5\d\d/);
  });

  it('exits 0 on SIGTERM mid-generation, and a restart finishes the released task', async () => {
    const first = await start({ ROADMAP_DEMO_LATENCY_MS: '200' });
    const { body } = await api<GenerateResponse>(first, 'POST', '/roadmaps/generate', 'alice', generateBody());
    await waitForStatus(first, 'alice', body.task_id, ['processing']);
    const socket = new WebSocketClient(
      `${first.url.replace('http', 'ws')}/api/v1/ws/${body.task_id}?token=${tokenFor('alice')}`,
    );
    const messages: { type: string; reason?: string }[] = [];
    const closed = new Promise<number>((resolve, reject) => {
      socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
      socket.on('close', resolve);
      socket.on('error', reject);
    });
    await waitFor('the WebSocket to connect', async () => (messages.length > 0 ? true : undefined));
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(await closed).toBe(1001);
    expect(messages[0]?.type).toBe('connected');
    expect(messages.at(-1)).toMatchObject({ type: 'closing', reason: 'server_shutdown' });

    const second = await start({ ROADMAP_DEMO_LATENCY_MS: '2' });
    const task = await waitForStatus(second, 'alice', body.task_id, ['completed', 'partial_failure', 'failed']);
    expect(task.status).toBe('completed');
  });

  it('resumes a task after kill -9 once its lease expires', async () => {
    const first = await start({ ROADMAP_DEMO_LATENCY_MS: '150', ROADMAP_LEASE_MS: '1000' });
    const { body } = await api<GenerateResponse>(first, 'POST', '/roadmaps/generate', 'alice', generateBody());
    await waitFor('content generation to start', async () => {
      const { body: task } = await api<TaskBody>(first, 'GET', `/roadmaps/tasks/${body.task_id}`, 'alice');
      return task.status === 'processing' && task.current_step === 'content_generation' ? task : undefined;
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await start({ ROADMAP_DEMO_LATENCY_MS: '2', ROADMAP_LEASE_MS: '1000' });
    const task = await waitForStatus(second, 'alice', body.task_id, ['completed', 'partial_failure', 'failed'], 30_000);
    expect(task.status).toBe('completed');
  }, 40_000);

  it('after kill -9 with an OpenAI-compatible model, asks the model nothing it already answered for stored work', async () => {
    const model = await startFakeOpenAIServer({ latencyMs: 120 });
    try {
      const environment = {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: model.baseUrl,
        ROADMAP_LEASE_MS: '1000',
        ROADMAP_CONCURRENCY: '3',
      };
      const first = await start(environment);
      const { body } = await api<GenerateResponse>(first, 'POST', '/roadmaps/generate', 'alice', generateBody());
      await waitFor('some content to be stored', async () => {
        const { body: task } = await api<TaskBody & { progress: { completed: number } }>(
          first,
          'GET',
          `/roadmaps/tasks/${body.task_id}`,
          'alice',
        );
        return task.progress.completed >= 4 ? task : undefined;
      });
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const callsBeforeKill = model.calls.length;

      // What the killed process had stored, read straight from its SQLite file.
      const storage = createSqliteStorage({ filename: path.join(dataDir, 'roadmap.db') });
      const stored = await storage.getRoadmap(body.roadmap_id);
      storage.close();
      const storedKeys = ['intent_analysis', 'curriculum_design', 'structure_review'];
      for (const stage of stored?.stages ?? []) {
        for (const module of stage.modules) {
          for (const concept of module.concepts) {
            for (const kind of ['tutorial', 'resources', 'quiz'] as const) {
              if (concept[`${kind}_status`] === 'completed') storedKeys.push(`${kind}:${concept.name}`);
            }
          }
        }
      }
      expect(storedKeys.length).toBeGreaterThanOrEqual(3 + 4);

      const second = await start(environment);
      const task = await waitForStatus(
        second,
        'alice',
        body.task_id,
        ['completed', 'partial_failure', 'failed'],
        30_000,
      );
      expect(task.status).toBe('completed');
      const afterRestart = model.calls.slice(callsBeforeKill).map((call) => call.key);
      expect(afterRestart.filter((key) => storedKeys.includes(key))).toEqual([]);
      // Asked again: only work that was in flight when the process died (answers it never stored), at most the
      // 3 concepts × 3 kinds that run at once; and nothing twice.
      const askedBefore = new Set(model.calls.slice(0, callsBeforeKill).map((call) => call.key));
      expect(afterRestart.filter((key) => askedBefore.has(key)).length).toBeLessThanOrEqual(3 * 3);
      expect(new Set(afterRestart).size).toBe(afterRestart.length);
      expect(afterRestart.length).toBeGreaterThan(0);
    } finally {
      await model.close();
    }
  }, 60_000);

  it('refuses ROADMAP_ROLE=api without REDIS_URL with a clear message', async () => {
    const { code, output } = await runFailingServer({ ROADMAP_DATA_DIR: dataDir, ROADMAP_ROLE: 'api' });
    expect(code).toBe(2);
    expect(output).toContain('ROADMAP_ROLE=api needs a shared queue: set REDIS_URL');
  });
});
