import type { Knex } from '@mikro-orm/knex';
import { createWorkerPool, type WorkerPool } from './worker-pool.js';

/*
 * Heavy reads off the event loop. SQLite runs through better-sqlite3, which
 * is synchronous: an aggregate over a member's million achievements (the
 * statistics the analytics service builds its publication from, the uptake
 * counts) holds the whole process while it runs, and the embedded default
 * runs 13 members and the gateway in one. Such reads go to a worker thread
 * with its own read-only connection (WAL: it sees every committed write) and
 * use the machine's second core; PostgreSQL, which answers asynchronously,
 * runs them on its own connection as before.
 */

export interface SqliteReadRequest {
  file: string;
  sql: string;
  bindings: unknown[];
}

/** Runs a read-only query and returns its rows. */
export interface HeavyReads {
  rows<T>(query: Knex.QueryBuilder | Knex.Raw): Promise<T[]>;
}

/** Reads in the process, as any query (PostgreSQL, or SQLite without a pool). */
export const READ_IN_PROCESS: HeavyReads = {
  rows: async <T>(query: Knex.QueryBuilder | Knex.Raw) => (await query) as T[],
};

export interface SqliteReadPool {
  /** The reads of one SQLite file (a member's database). */
  forFile(file: string): HeavyReads;
  close(): Promise<void>;
}

/** `size` worker threads shared by every database of the process (the embedded hub: all 13 members). */
export function createSqliteReadPool(size = 1): SqliteReadPool {
  const pool: WorkerPool<SqliteReadRequest, unknown[]> = createWorkerPool(size, new URL('./sqlite-read-worker.ts', import.meta.url), {});
  return {
    forFile(file) {
      return {
        rows: async <T>(query: Knex.QueryBuilder | Knex.Raw) => {
          // A pool whose worker died costs speed, not the answer: the read runs here instead.
          if (pool.alive === 0) return (await query) as T[];
          const { sql, bindings } = query.toSQL().toNative();
          return (await pool.run({ file, sql, bindings: [...bindings] })) as T[];
        },
      };
    },
    close: () => pool.close(),
  };
}
