import BetterSqlite3 from 'better-sqlite3';
import { toStorageError } from './storageError.js';

export interface ConnectionSettings {
  /** Milliseconds a statement waits for another connection's write lock before failing with `SQLITE_BUSY`. */
  busyTimeoutMs: number;
}

/**
 * Opens `filename` (created when missing). Throws a `storage_error` naming the file when it cannot be opened.
 */
export function openDatabase(filename: string): BetterSqlite3.Database {
  try {
    return new BetterSqlite3(filename);
  } catch (error) {
    throw toStorageError(`opening ${filename}`, error);
  }
}

/**
 * Settings every connection of the adapter needs: WAL so readers never block the writer and several processes
 * can share the file; `synchronous = NORMAL` (durable across process crashes; a power loss may drop the last
 * commits, never corrupt the file); a busy timeout so writers queue for the lock instead of failing; foreign keys.
 */
export function configureDatabase(database: BetterSqlite3.Database, settings: ConnectionSettings): void {
  try {
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs))}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    throw toStorageError(`opening ${database.name}`, error);
  }
}

export type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * Prepares each distinct SQL text once and hands back the same statement afterwards. Statements whose text depends
 * on the call (the columns a task patch sets, the filters of a list) come from a small, fixed set of shapes.
 */
export function createStatementCache(database: BetterSqlite3.Database): (sql: string) => Statement {
  const statements = new Map<string, Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql) as Statement;
      if (statement.reader) statement.safeIntegers(false);
      statements.set(sql, statement);
    }
    return statement;
  };
}
