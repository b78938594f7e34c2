import { createRequire } from 'node:module';
import type { WorkerSetup } from './worker-pool.js';
import type { SqliteReadRequest } from './sqlite-reads.js';

/*
 * A worker thread that runs read-only SQL on SQLite files (lib/sqlite-reads.ts):
 * one read-only connection per file, opened on first use. better-sqlite3 is
 * synchronous, so a grouped count over a million rows holds the thread that
 * runs it; here that is this worker, not the event loop serving requests.
 */

interface Statement {
  all(...parameters: unknown[]): unknown[];
}
interface Database {
  prepare(sql: string): Statement;
}
type DatabaseConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => Database;

/** As knex's better-sqlite3 client binds them: booleans as 0/1, dates as epoch milliseconds. */
function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  return value;
}

export const setup: WorkerSetup<Record<string, never>, SqliteReadRequest, unknown[]> = async () => {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  const open = new Map<string, Database>();
  return async ({ file, sql, bindings }) => {
    let database = open.get(file);
    if (!database) {
      database = new Sqlite(file, { readonly: true, fileMustExist: true });
      open.set(file, database);
    }
    return database.prepare(sql).all(...bindings.map(bindable));
  };
};
