import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEngineConformance } from '@roadmap/core/testing';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

// The engine's whole-product scenarios on a database file. Each "process" opens its own connection to the file, so
// a crash scenario resumes through what the file holds, as a restarted process would.
runEngineConformance(
  ({ clock }) => {
    const directory = mkdtempSync(join(tmpdir(), 'roadmap-engine-sqlite-'));
    const open = () => createSqliteStorage({ filename: join(directory, 'roadmap.db'), now: clock.now });
    return {
      storage: open(),
      reopen: open,
      close: (storage: SqliteStorage) => storage.close(),
      cleanup: () => rmSync(directory, { recursive: true, force: true }),
    };
  },
  { name: 'sqlite (file)' },
);
