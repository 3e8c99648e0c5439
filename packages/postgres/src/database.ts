import { RoadmapError } from '@roadmap/core';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** A pool or one of its checked-out clients: anything that runs a query. */
export type Queryable = Pick<Pool, 'query'> | PoolClient;

/** Wraps a driver error in `RoadmapError('storage_error')`, keeping the original as `cause`. */
export function storageError(operation: string, error: unknown): RoadmapError {
  if (RoadmapError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new RoadmapError('storage_error', `PostgreSQL storage failed to ${operation}: ${detail}`, { cause: error });
}

/** Runs one statement (one implicit transaction); driver errors become `storage_error`. */
export async function runQuery<Row extends QueryResultRow>(
  database: Queryable,
  operation: string,
  text: string,
  values: readonly unknown[] = [],
): Promise<QueryResult<Row>> {
  try {
    return await database.query<Row>(text, values as unknown[]);
  } catch (error) {
    throw storageError(operation, error);
  }
}

/** {@link runQuery} on `pool`: what each part of the storage queries with. */
export function queryOn(pool: Pool) {
  return <Row extends QueryResultRow>(operation: string, text: string, values: readonly unknown[] = []) =>
    runQuery<Row>(pool, operation, text, values);
}

/**
 * Runs `work` inside `BEGIN … COMMIT` on one client of the pool, rolling back when it throws. Driver errors
 * become `storage_error`.
 */
export async function inTransaction<Result>(
  pool: Pool,
  operation: string,
  work: (client: PoolClient) => Promise<Result>,
): Promise<Result> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storageError(operation, error);
  }
  let broken = false;
  // pg-pool listens for errors only on idle clients: a connection the server ends while this transaction holds it
  // (`pg_terminate_backend`, a restart) would emit an unhandled 'error' and take the process down. The statement in
  // flight rejects on its own; the client is marked broken so the pool discards it.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await runQuery(client, operation, 'BEGIN');
    const result = await work(client);
    await runQuery(client, operation, 'COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw storageError(operation, error);
  } finally {
    // A broken client keeps the listener: the server's FATAL for a terminated connection can arrive after the
    // statement failed (and after the pool let go of it), and must not be an unhandled 'error'.
    if (!broken) client.off('error', onError);
    client.release(broken);
  }
}

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Checks a schema name and returns it double-quoted for SQL. Only letters, digits and `_` (at most 63, not
 * starting with a digit) are accepted, so a name can never inject SQL.
 */
export function quoteSchema(schema: string): string {
  if (!identifierPattern.test(schema)) {
    throw new RoadmapError(
      'invalid_input',
      `Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use letters, digits and _ (at most 63).`,
    );
  }
  return `"${schema}"`;
}

/** A SQL string literal (single quotes doubled). Only used for names already checked by {@link quoteSchema}. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
