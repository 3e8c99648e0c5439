import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideFiles } from './guideFiles.js';

/**
 * The getting-started guide as a product team meets it: every package packed (`pnpm pack`, what npm would publish),
 * installed with npm into a blank app outside the workspace, the guide's files written exactly as shown, type-checked
 * strictly in ESM and CommonJS, then its server driven over HTTP — generate → progress → cancel → restart → the
 * covers still load. Needs the packages built (`pnpm build`) and the npm registry.
 */

const repository = path.resolve(import.meta.dirname, '../../..');
const guide = readFileSync(path.join(repository, 'docs/GETTING-STARTED.md'), 'utf8');
const secret = 'consumer-test-secret-0123456789-abcdefghij';
const minutes = 60_000;

let app: string;
const servers = new Set<ChildProcess>();

function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

/** Packs every publishable package of `packages/` into `directory`; their tarballs by package name. */
function packAll(directory: string): Record<string, string> {
  const tarballs: Record<string, string> = {};
  for (const entry of readdirSync(path.join(repository, 'packages'))) {
    const folder = path.join(repository, 'packages', entry);
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (manifest.private) continue;
    const before = new Set(readdirSync(directory));
    run(process.execPath, [path.join(repository, 'scripts/pnpm.mjs'), 'pack', '--pack-destination', directory], {
      cwd: folder,
    });
    const made = readdirSync(directory).find((file) => file.endsWith('.tgz') && !before.has(file));
    if (!made) throw new Error(`pnpm pack made no tarball for ${manifest.name}`);
    tarballs[manifest.name] = `file:${path.join(directory, made)}`;
  }
  return tarballs;
}

/** Starts the guide's server; resolves with its base URL once it says where it listens. */
function startServer(environment: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: app,
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const address = /listening on (\{.*\})/.exec(output)?.[1];
      if (address)
        resolve({ url: `http://127.0.0.1:${(JSON.parse(address) as { port: number }).port}`, process: child });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Polls `read` until `done` holds for its value (a live server: real time, bounded). */
async function until<Value>(read: () => Promise<Value>, done: (value: Value) => boolean, what: string): Promise<Value> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(() => {
  app = mkdtempSync(path.join(tmpdir(), 'roadmap-consumer-'));
  const tarballs = packAll(mkdtempSync(path.join(tmpdir(), 'roadmap-tarballs-')));
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'blank-app',
        private: true,
        type: 'module',
        dependencies: {
          ...tarballs,
          express: '^5.1.0',
          react: '^19.2.0',
          'react-dom': '^19.2.0',
        },
        devDependencies: {
          '@types/express': '^5.0.0',
          '@types/node': '^20.19.0',
          '@types/react': '^19.2.0',
          '@types/react-dom': '^19.2.0',
          typescript: '~5.9.3',
        },
      },
      null,
      2,
    )}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  for (const file of guideFiles(guide)) {
    mkdirSync(path.dirname(path.join(app, file.path)), { recursive: true });
    writeFileSync(path.join(app, file.path), file.content);
  }
  // CommonJS consumers get the packages' `require` builds and `.d.cts` types.
  writeFileSync(
    path.join(app, 'src/commonjs.cts'),
    [
      "import core = require('@roadmap/core');",
      "import client = require('@roadmap/core/client');",
      "import expressBinding = require('@roadmap/express');",
      "import sqlite = require('@roadmap/sqlite');",
      "import react = require('@roadmap/react');",
      'const loaded: Array<[string, unknown]> = [',
      "  ['RoadmapEngine', core.RoadmapEngine],",
      "  ['createRoadmapClient', client.createRoadmapClient],",
      "  ['createRoadmapRouter', expressBinding.createRoadmapRouter],",
      "  ['createSqliteStorage', sqlite.createSqliteStorage],",
      "  ['TaskList', react.TaskList],",
      '];',
      "console.log(loaded.filter(([, value]) => typeof value !== 'function').map(([name]) => name).join(',') || 'ok');",
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(app, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          jsx: 'react-jsx',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
}, 20 * minutes);

afterAll(async () => {
  for (const child of servers) await stopServer(child);
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('the getting-started guide on a blank app', () => {
  it('type-checks strictly, ESM and CommonJS, and every CommonJS entry loads', () => {
    run(path.join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: app });
    expect(run(process.execPath, ['dist/commonjs.cjs'], { cwd: app }).trim()).toBe('ok');
  });

  it(
    'generate → progress → cancel → restart → the covers still load, over HTTP',
    async () => {
      const environment = { ROADMAP_JWT_SECRET: secret, PORT: '0', DEMO_LATENCY_MS: '120' };
      const token = run(process.execPath, ['dist/token.js'], { cwd: app, env: environment }).trim();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      let server = await startServer(environment);
      const api = (route: string, init: RequestInit = {}) =>
        fetch(`${server.url}/api/v1${route}`, { headers, ...init });
      const json = async (route: string, init?: RequestInit) => {
        const response = await api(route, init);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const generate = async (goal: string) => {
        const created = await json('/roadmaps/generate', {
          method: 'POST',
          body: JSON.stringify({ preferences: { learning_goal: goal } }),
        });
        expect(created.status).toBe(202);
        return created.body as { task_id: string; roadmap_id: string };
      };
      const task = (taskId: string) =>
        json(`/roadmaps/tasks/${taskId}`).then(
          (answer) => answer.body as { status: string; progress: { completed: number; total: number } },
        );

      // A roadmap in progress, cancelled for real.
      const cancelled = await generate('Learn TypeScript generics');
      const progressing = await until(
        () => task(cancelled.task_id),
        (state) => state.status === 'processing' && state.progress.completed > 0,
        'content progress',
      );
      expect(progressing.progress.total).toBeGreaterThan(progressing.progress.completed);
      const cancel = await json(`/roadmaps/tasks/${cancelled.task_id}/cancel`, { method: 'POST', body: '{}' });
      expect(cancel).toMatchObject({ status: 200, body: { success: true, previous_status: 'processing' } });

      // A roadmap to the end, with its cover image.
      const finished = await generate('Learn watercolor painting');
      await until(
        () => task(finished.task_id),
        (state) => state.status === 'completed',
        'completion',
      );
      const cover = await until(
        () => json(`/roadmap/${finished.roadmap_id}/cover-image`).then((answer) => answer.body),
        (body) => body.status === 'success',
        'the cover',
      );
      const imageUrl = `${server.url}${cover.cover_image_url as string}`;
      const image = await fetch(imageUrl);
      expect(image.status).toBe(200);
      const bytes = Buffer.from(await image.arrayBuffer());
      expect(bytes.length).toBeGreaterThan(100);

      // Restarted: everything is still there, and the cover still loads.
      await stopServer(server.process);
      server = await startServer(environment);
      expect((await task(cancelled.task_id)).status).toBe('cancelled');
      expect((await task(finished.task_id)).status).toBe('completed');
      expect((await json(`/roadmap/${finished.roadmap_id}/cover-image`)).body).toMatchObject({
        status: 'success',
        cover_image_url: cover.cover_image_url,
      });
      const again = await fetch(`${server.url}${cover.cover_image_url as string}`);
      expect(again.status).toBe(200);
      expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
      const listed = (await json('/roadmaps')).body as { roadmaps: Array<{ roadmap_id: string }> };
      expect(listed.roadmaps.map((roadmap) => roadmap.roadmap_id).sort()).toEqual(
        [cancelled.roadmap_id, finished.roadmap_id].sort(),
      );
    },
    5 * minutes,
  );
});
