import type { RedisOptions as BullmqRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Where the queue's Redis is: a URL (`redis://user:password@host:6379/0`, e.g. `process.env.REDIS_URL`),
 * ioredis options, or an ioredis client that the caller owns.
 */
export type RedisConnection = string | RedisOptions | Redis;

/** The connections a queue instance works with, and which of them it must close. */
export interface OpenedConnection {
  /** Runs commands: enqueue, heartbeats, releases, cancel publishes (shared with BullMQ's `Queue`). */
  commands: Redis;
  /** Whether `commands` was opened here (and must be closed here) rather than passed in by the caller. */
  ownsCommands: boolean;
  /** Options for connections the queue opens itself (BullMQ's worker connections), named `name`. */
  optionsFor(name: string): BullmqRedisOptions;
}

/** Tells an ioredis client from options without `instanceof`, so two copies of ioredis still work. */
export function isRedisClient(connection: RedisConnection): connection is Redis {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Redis).duplicate === 'function' &&
    typeof (connection as Redis).status === 'string'
  );
}

/** Options for BullMQ's blocking connections, copied from a client's: BullMQ requires `maxRetriesPerRequest: null`. */
function optionsFrom(options: RedisOptions): (connectionName: string) => BullmqRedisOptions {
  // ioredis accepts `retryStrategy: null` (never reconnect), BullMQ's types do not: BullMQ's default applies then.
  const { retryStrategy, ...base } = options;
  return (connectionName) => ({
    ...base,
    ...(retryStrategy ? { retryStrategy } : {}),
    connectionName,
    maxRetriesPerRequest: null,
    lazyConnect: false,
  });
}

/** Opens (or adopts) the command connection, named `${name}:commands` when opened here. */
export function openConnection(connection: RedisConnection, name: string): OpenedConnection {
  if (isRedisClient(connection)) {
    return { commands: connection, ownsCommands: false, optionsFor: optionsFrom(connection.options) };
  }
  const commandsName = `${name}:commands`;
  const commands =
    typeof connection === 'string'
      ? new Redis(connection, { connectionName: commandsName })
      : new Redis({ ...connection, connectionName: commandsName });
  // Its parsed options (a URL resolved into host, port, password, db, tls) are what the other connections reuse.
  return { commands, ownsCommands: true, optionsFor: optionsFrom(commands.options) };
}

/** Closes a connection politely, or at once when it cannot answer. */
export async function closeConnection(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
