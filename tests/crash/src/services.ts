import { connect } from 'node:net';

export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Whether PostgreSQL and Redis answer. Locally a missing server skips the suite with a printed reason; under
 * `CI=true` it is a failure (the suite's first test throws).
 */
export async function servicesAvailable(): Promise<{ available: boolean; reason: string }> {
  const [postgres, redis] = await Promise.all([reachable(postgresUrl), reachable(redisUrl)]);
  const missing = [postgres ? '' : `PostgreSQL at ${postgresUrl}`, redis ? '' : `Redis at ${redisUrl}`].filter(Boolean);
  return { available: missing.length === 0, reason: missing.length ? `unreachable: ${missing.join(', ')}` : '' };
}
