/**
 * Test support: runs `src/main.ts` as a real child process (as `pnpm start` does) and talks to it over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { signJwt } from '@roadmap/express';

/** `main`: `src/main.ts`, as `start` runs it; `demo`: `src/demo.ts`, as `run demo` (and `npm run demo`) runs it. */
export type ServerEntry = 'main' | 'demo';
const entries: Record<ServerEntry, string> = {
  main: fileURLToPath(new URL('./main.ts', import.meta.url)),
  demo: fileURLToPath(new URL('./demo.ts', import.meta.url)),
};
export const testSecret = 'test-secret-0123456789-0123456789-abcdef';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Exit code, or the signal name. */
  exited: Promise<number | string>;
}

/**
 * Spawns the server and resolves once it printed its `listening on` line. The environment starts from this process's
 * with `NODE_ENV=test`, `PORT=0` and `ROADMAP_JWT_SECRET` = {@link testSecret}; `environment` overrides them (an
 * empty value counts as unset).
 */
export async function startServerProcess(
  environment: Record<string, string>,
  entry: ServerEntry = 'main',
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', entries[entry]], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', ROADMAP_JWT_SECRET: testSecret, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  return { url, child, output: () => output, exited };
}

/**
 * Runs the server expecting it to refuse to start; resolves with its exit code and output. A server that starts
 * anyway is killed once it prints `listening on` (or after 15 s), and its code is then `SIGKILL`.
 */
export async function runFailingServer(
  environment: Record<string, string>,
): Promise<{ code: number | string; output: string }> {
  const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', entries.main], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', ROADMAP_JWT_SECRET: testSecret, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('listening on')) child.kill('SIGKILL');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: (code ?? signal) as number | string, output };
}

export function tokenFor(userId: string): string {
  return signJwt({ sub: userId, expiresInSeconds: 3600 }, testSecret);
}

/** A JSON request with a bearer token; resolves with status and parsed body. */
export async function api<T = Record<string, unknown>>(
  server: { url: string },
  method: string,
  path: string,
  userId: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokenFor(userId)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

export function generateBody(goal = 'Learn TypeScript for backend services') {
  return { preferences: { learning_goal: goal, available_hours_per_week: 8, current_level: 'beginner' } };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface TaskBody {
  task_id: string;
  roadmap_id: string | null;
  status: string;
  current_step: string;
}

/** Waits until the task reaches one of `statuses`, and returns it. */
export function waitForStatus(
  server: { url: string },
  userId: string,
  taskId: string,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<TaskBody> {
  return waitFor(
    `task ${taskId} to be ${statuses.join('/')}`,
    async () => {
      const { status, body } = await api<TaskBody>(server, 'GET', `/roadmaps/tasks/${taskId}`, userId);
      if (status !== 200) throw new Error(`GET task answered ${status}: ${JSON.stringify(body)}`);
      return statuses.includes(body.status) ? body : undefined;
    },
    timeoutMs,
  );
}

/** Stops a process still running at the end of a test. */
export async function stopProcess(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}
