import { mkdirSync } from 'node:fs';
import type { Storage } from '@roadmap/core';
import { createPostgresStorage } from '@roadmap/postgres';
import { createSqliteStorage } from '@roadmap/sqlite';
import type { ServerConfig } from './config.js';

export interface OpenedStorage {
  storage: Storage;
  /** Human description for the start log (no credentials). */
  description: string;
  close(): Promise<void>;
}

/** Postgres when `DATABASE_URL` is set (migrations applied), else SQLite in `${ROADMAP_DATA_DIR}/roadmap.db`. */
export async function openStorage(config: ServerConfig): Promise<OpenedStorage> {
  if (config.databaseUrl !== undefined) {
    const storage = await createPostgresStorage({ connectionString: config.databaseUrl });
    const host = new URL(config.databaseUrl).host;
    return { storage, description: `postgres (${host})`, close: () => storage.close() };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const storage = createSqliteStorage({ filename: config.sqliteFile });
  return {
    storage,
    description: `sqlite (${config.sqliteFile})`,
    close: async () => storage.close(),
  };
}
