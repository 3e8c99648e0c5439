export type { WriteBatch } from './groupCommit.js';
export type { Migration } from './migrations.js';
export { latestSchemaVersion, migrate, migrations } from './migrations.js';
export type { SqliteCommonOptions, SqliteStorage, SqliteStorageOptions } from './sqliteStorage.js';
export { createSqliteStorage } from './sqliteStorage.js';
