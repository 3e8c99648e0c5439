export type { LeaseClock } from './leaseClock.js';
export type { Migration } from './migrations.js';
export { applyMigrations, latestMigrationVersion, migrations } from './migrations.js';
export type { PostgresPoolOptions, PostgresStorage, PostgresStorageOptions } from './postgresStorage.js';
export { createPostgresStorage } from './postgresStorage.js';
