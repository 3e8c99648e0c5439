import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

/** The test server: `DATABASE_URL`, else the local PostgreSQL with trust auth. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Connects once; resolves with the error when the server cannot be reached. */
export async function probeDatabase(): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await client.end().catch(() => {});
  }
}

const availability = await probeDatabase();

/**
 * `describe` when PostgreSQL answers. Otherwise the suite is skipped with a printed reason, except on CI
 * (`CI=true`), where a failing test reports the connection error.
 */
export function describeWithDatabase(name: string, body: () => void): void {
  if (availability === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`connects to PostgreSQL at ${redacted(databaseUrl)}`, () => {
        throw availability;
      });
    });
    return;
  }
  console.warn(
    `Skipping "${name}": PostgreSQL is not reachable at ${redacted(databaseUrl)} (${availability.message}). ` +
      'Set DATABASE_URL to run it.',
  );
  describe.skip(name, body);
}

function redacted(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
let schemaCount = 0;

/** A schema name no other test (or test process) uses: `roadmap_test_<pid>_<random>_<n>`. */
export function freshSchemaName(): string {
  schemaCount += 1;
  return `roadmap_test_${runId}_${schemaCount}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
