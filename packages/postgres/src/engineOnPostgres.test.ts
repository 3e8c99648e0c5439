import { runEngineConformance } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createPostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

describeWithDatabase('RoadmapEngine on PostgreSQL', () => {
  const adminPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => adminPool.end());

  // A fresh schema per test. Each "process" opens its own pool, so a crash scenario resumes through what the
  // database holds, after the crashed process's pool closed.
  runEngineConformance(
    ({ clock }) => {
      const schema = freshSchemaName();
      // The scenarios expire leases by advancing their manual clock.
      const open = () =>
        createPostgresStorage({ connectionString: databaseUrl, schema, now: clock.now, leaseClock: 'caller' });
      return open().then((storage) => ({
        storage,
        reopen: open,
        close: (instance: typeof storage) => instance.close(),
        cleanup: () => dropSchema(adminPool, schema),
      }));
    },
    // Statements travel to a server: give writes that must not happen time to show up.
    { name: 'postgres', quietMs: 50 },
  );
});
