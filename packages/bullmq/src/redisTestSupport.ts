import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, else a local server. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers a PING. Without it the tests skip with a printed reason, except on CI (`CI=true`), where a
 * missing server fails the run loudly.
 */
export async function checkRedis(): Promise<boolean> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: unknown;
  client.on('error', (error) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const reason = `Redis is not reachable at ${redisUrl}: ${String(cause ?? error)}`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true, so this fails instead of skipping)`);
    console.warn(`[roadmap/bullmq] skipping Redis tests. ${reason}`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test uses, so tests can run in parallel on one server. */
export const uniquePrefix = (label: string) => `roadmap-test-${label}-${globalThis.crypto.randomUUID().slice(0, 8)}`;

/** A short-lived connection for a test's own commands. */
export async function withRedis<Result>(use: (client: Redis) => Promise<Result>): Promise<Result> {
  const client = new Redis(redisUrl);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `${prefix}:`. */
export function removeKeys(prefix: string): Promise<void> {
  return withRedis(async (client) => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  });
}

/** Closes, on the server's side, every connection whose name starts with `${prefix}:`; returns how many. */
export function killConnections(prefix: string): Promise<number> {
  return withRedis(async (client) => {
    const list = (await client.call('CLIENT', 'LIST')) as string;
    const ids = list
      .split('\n')
      .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1], name: /\bname=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((entry) => entry.id !== undefined && entry.name.startsWith(`${prefix}:`))
      .map((entry) => entry.id as string);
    for (const id of ids) await client.call('CLIENT', 'KILL', 'ID', id);
    return ids.length;
  });
}

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs` saying what was awaited. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 5_000, intervalMs = 10 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The promise's value, or `fallback` if it has not settled within `ms`. */
export function within<Value, Fallback>(
  promise: Promise<Value>,
  ms: number,
  fallback: Fallback,
): Promise<Value | Fallback> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Fallback>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How many connections of queues under `prefix` are blocked in Redis (flag `b` in `CLIENT LIST`): fetches waiting for a job. */
export function blockedFetches(prefix: string, url = redisUrl): Promise<number> {
  const client = new Redis(url);
  return (client.call('CLIENT', 'LIST') as Promise<string>)
    .then(
      (list) =>
        list
          .split('\n')
          .filter((line) => /\bname=(\S*)/.exec(line)?.[1]?.startsWith(`${prefix}:`) && /\bflags=\S*b/.test(line))
          .length,
    )
    .finally(() => client.disconnect());
}

/** Resolves once at least `count` fetches of queues under `prefix` are blocked in Redis, waiting for a job. */
export function waitForBlockedFetch(prefix: string, { count = 1, url = redisUrl } = {}): Promise<void> {
  return waitFor(async () => (await blockedFetches(prefix, url)) >= count, `${count} blocked fetches of ${prefix}`, {
    timeoutMs: 5_000,
    intervalMs: 5,
  });
}

/** A private `redis-server` child process for tests that stop Redis: never the machine's shared server. */
export interface OwnRedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops the server (SIGTERM) and resolves once the process has exited. It keeps nothing on disk, unless started
   * with a `directory`.
   */
  stop(): Promise<void>;
  /** Starts it again on the same port and resolves once it answers PING. */
  start(): Promise<void>;
}

/** Whether a `redis-server` binary is on the PATH (tests that start their own server skip without one). */
export function hasRedisServer(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return found.status === 0;
}

/** A TCP port free on 127.0.0.1 right now (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('No port was assigned'));
      });
    });
  });
}

export interface OwnRedisOptions {
  /**
   * Keeps the data in this folder (append-only file, written on every command), so a restart comes back with every
   * key, as a broker with persistence does. Default: none (`--save '' --appendonly no`: a restart loses every key).
   */
  directory?: string;
}

/**
 * Starts `redis-server` on a free port as a child of this process. Stop it with `stop()`, and always `stop()` it at
 * the end.
 */
export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<OwnRedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const answers = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };

  const server: OwnRedisServer = {
    url,
    port,
    async start() {
      if (child) return;
      const started = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'],
          ...(options.directory
            ? ['--dir', options.directory, '--appendonly', 'yes', '--appendfsync', 'always']
            : ['--appendonly', 'no']),
        ],
        { stdio: 'ignore' },
      );
      child = started;
      // Never outlive the test process, even when it dies without `stop()`.
      const killOnExit = () => started.kill('SIGKILL');
      process.once('exit', killOnExit);
      exited = new Promise((resolve) =>
        started.once('exit', () => {
          process.off('exit', killOnExit);
          resolve();
        }),
      );
      void exited.then(() => {
        if (child === started) child = undefined;
      });
      await waitFor(answers, `redis-server on port ${port} to answer`, { timeoutMs: 10_000, intervalMs: 20 });
    },
    async stop() {
      const running = child;
      if (!running) return;
      running.kill('SIGTERM');
      await exited;
    },
  };
  await server.start();
  return server;
}
