import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import type { EntityMetadata, MetadataStorage, MikroORM } from '@mikro-orm/core';
import { createRequire } from 'node:module';
import type { SqlEntityManager } from '../lib/orm.js';

/*
 * The demo seed's writer for SQLite files: rows go straight to the
 * better-sqlite3 connection under the ORM, through a few prepared multi-row
 * INSERTs, in one transaction per database. Through `em.insertMany` every
 * batch was a new SQL text with its values inlined (formatted, then prepared
 * and thrown away), and every row updated up to seven indexes in random key
 * order; at 300,000 learners that took 5½ to 9 minutes. Here the secondary
 * indexes of the tables being filled are dropped at the start of the
 * transaction and created again, from their own SQL in sqlite_master, at its
 * end: one sort per index instead of a million random inserts. Emptying
 * and filling being one transaction, an interrupted seed leaves the tables
 * as they were before it (indexes included), never a half-filled database.
 */

/** What the seed needs of a better-sqlite3 statement and connection (the package ships no types). */
interface SqliteStatement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface SqliteDatabase {
  pragma(sql: string, options?: { simple: boolean }): unknown;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
}

/** Rows per INSERT: fewer statement calls, while staying far below SQLite's 32,766 bound parameters. */
const ROWS_PER_INSERT = 100;
const MAX_PARAMETERS = 30_000;

/**
 * Connection settings for the bulk load and the values they are restored to
 * afterwards. The rollback journal (instead of WAL) writes new pages once,
 * into the database file, rather than into the WAL and then again at the
 * checkpoint; `synchronous = OFF` is safe against a crash of the process (the
 * journal still rolls the transaction back), only not against one of the OS,
 * which costs nothing here: the seed replaces the whole demo data anyway.
 */
const LOAD_PRAGMAS: Record<string, string | number> = {
  journal_mode: 'delete',
  synchronous: 'off',
  // 64 MiB of page cache: a member's primary-key indexes stay in memory while their ids arrive in random order.
  cache_size: -65_536,
  temp_store: 'memory',
  // Rows go in table by table in batches, children's batches sometimes before their parents': checked at the end instead.
  foreign_keys: 'off',
};

/** A prepared INSERT for one table: its columns, the properties they come from, and how to convert them. */
interface TablePlan {
  meta: EntityMetadata;
  table: string;
  keys: string[];
  many: SqliteStatement;
  rowsPerInsert: number;
  sqlFor: (rows: number) => string;
  /** Flat parameters of the rows not written yet: one array, filled again after every INSERT (no garbage per row). */
  pending: unknown[];
  pendingRows: number;
}

/** A value as better-sqlite3 binds it, converted the way MikroORM's SQLite platform stores it. */
function sqliteValue(value: unknown, meta: EntityMetadata, key: string): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.getTime(); // MikroORM keeps SQLite datetimes as epoch milliseconds.
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') throw new Error(`${meta.className}.${key}: the bulk writer takes ids for relations, not objects.`);
  return value;
}

/** True when a table outside `tables` has rows with a foreign key into one of them (emptying them must cascade there). */
function hasOtherDependents(db: SqliteDatabase, tables: readonly string[]): boolean {
  const children = db
    .prepare(`select distinct m.name from sqlite_master m, pragma_foreign_key_list(m.name) f where m.type = 'table' and f."table" in (${tables.map(() => '?').join(', ')})`)
    .all(...tables) as { name: string }[];
  return children.some(({ name }) => !tables.includes(name) && db.prepare(`select 1 from ${quoteName(name)} limit 1`).all().length > 0);
}

function quoteName(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * Lets another connection (a worker thread's) bulk-load this ORM's SQLite
 * file: a file in WAL mode cannot leave it while a second connection is
 * open, so this one switches to the rollback journal, in which an idle
 * connection holds no lock. The returned function switches it back.
 */
export async function handOverFile(orm: MikroORM): Promise<() => Promise<void>> {
  const knex = (orm.em as SqlEntityManager).getKnex();
  const run = async (sql: string): Promise<unknown> => {
    const db = (await knex.client.acquireConnection()) as SqliteDatabase;
    try {
      return db.pragma(sql, { simple: true });
    } finally {
      knex.client.releaseConnection(db);
    }
  };
  const mode = await run('journal_mode');
  await run('journal_mode = delete');
  return async () => void (await run(`journal_mode = ${String(mode)}`));
}

/** The SQLite file an ORM writes to, or undefined for an in-memory database (which no other thread can open). */
export function sqliteFile(orm: MikroORM): string | undefined {
  const name = orm.config.get('dbName');
  return isBetterSqlite(orm) && name && name !== ':memory:' ? name : undefined;
}

/** True when the ORM talks to SQLite through better-sqlite3 (the embedded default), where the bulk writer applies. */
export function isBetterSqlite(orm: MikroORM): boolean {
  return orm.config.getDriver() instanceof BetterSqliteDriver;
}

/**
 * Writes entity-shaped rows (property names as keys, relations as ids, as
 * `em.insertMany` takes them) into empty tables of one SQLite database, in
 * the order they are added. Open with `SqliteBulkWriter.open`, then `add`
 * rows, then `finish` (or `abort`). While it is open it holds the ORM's only
 * SQLite connection, so nothing else may query that ORM.
 */
export class SqliteBulkWriter {
  private readonly plans = new Map<string, TablePlan>();
  private done = false;

  private constructor(
    private readonly metadata: MetadataStorage,
    private readonly db: SqliteDatabase,
    private readonly restore: [string, unknown][],
    private readonly indexes: string[],
    private readonly giveBack: () => void,
  ) {}

  /**
   * Takes the ORM's connection, switches it to bulk-load settings, begins
   * the transaction, empties the tables of `entities` (class names, parents
   * first) and drops their secondary indexes: they come back at `finish`,
   * built from the loaded rows.
   */
  static async open(orm: MikroORM, entities: readonly string[]): Promise<SqliteBulkWriter> {
    const knex = (orm.em as SqlEntityManager).getKnex();
    // knex keeps one better-sqlite3 connection per SQLite database; taking it keeps every other query off it.
    const db = (await knex.client.acquireConnection()) as SqliteDatabase;
    return SqliteBulkWriter.start(orm.getMetadata(), db, entities, () => knex.client.releaseConnection(db));
  }

  /**
   * The same on a connection of its own to the SQLite file at `path`, whose
   * schema is already migrated (a worker thread's share of the seed;
   * `metadata` is the ORM mapping of its entities).
   */
  static openFile(path: string, metadata: MetadataStorage, entities: readonly string[]): SqliteBulkWriter {
    const db = new (createRequire(import.meta.url)('better-sqlite3') as new (path: string, options: { fileMustExist: boolean }) => SqliteDatabase & { close(): void })(path, { fileMustExist: true });
    return SqliteBulkWriter.start(metadata, db, entities, () => db.close());
  }

  private static start(metadata: MetadataStorage, db: SqliteDatabase, entities: readonly string[], giveBack: () => void): SqliteBulkWriter {
    const tables = entities.map((entity) => metadata.get(entity).tableName);
    const restore: [string, unknown][] = [];
    try {
      // Children first, as the foreign keys want it when they are enforced.
      const emptying = [...tables].reverse().map((table) => `delete from ${quoteName(table)}`);
      if (hasOtherDependents(db, tables)) {
        // Rows elsewhere (a learner's consent grants) depend on these: delete with the foreign keys on, so they cascade.
        for (const sql of emptying) db.exec(sql);
        emptying.length = 0;
      }
      for (const [name, value] of Object.entries(LOAD_PRAGMAS)) {
        const was = db.pragma(name, { simple: true });
        try {
          db.pragma(`${name} = ${value}`);
        } catch (error) {
          // Another process has the file open in WAL mode (a running hub): load in WAL then, only slower.
          if (name !== 'journal_mode') throw error;
          continue;
        }
        restore.push([name, was]);
      }
      db.exec('begin');
      // With the foreign keys off, SQLite empties a table by dropping its pages instead of deleting row by row.
      for (const sql of emptying) db.exec(sql);
      // Automatic indexes (primary keys, unique constraints) have no SQL and stay; the ones migrations created go until the end.
      const rows = db
        .prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${tables.map(() => '?').join(', ')}) order by rowid`)
        .all(...tables) as { name: string; sql: string }[];
      for (const { name } of rows) db.exec(`drop index ${quoteName(name)}`);
      return new SqliteBulkWriter(metadata, db, restore, rows.map((row) => row.sql), giveBack);
    } catch (error) {
      try {
        db.exec('rollback');
      } catch {
        // No transaction had begun.
      }
      SqliteBulkWriter.release(db, restore, giveBack);
      throw error;
    }
  }

  private static release(db: SqliteDatabase, restore: [string, unknown][], giveBack: () => void): void {
    try {
      for (const [name, value] of restore.reverse()) db.pragma(`${name} = ${String(value)}`);
    } finally {
      giveBack();
    }
  }

  /** Queues one row of `entity` (its class name); full batches are written at once. */
  add(entity: string, row: object): void {
    const plan = this.plans.get(entity) ?? this.plan(entity, row);
    const values = row as Record<string, unknown>;
    const { keys, pending } = plan;
    let at = plan.pendingRows * keys.length;
    for (const key of keys) {
      // A property the first row did not have would be lost silently: refuse it (counting keys would allocate per row).
      if (!(key in values)) throw new Error(`${entity}: every row must have the properties of the first (${keys.join(', ')}); one has no ${key}.`);
      pending[at] = sqliteValue(values[key], plan.meta, key);
      at += 1;
    }
    plan.pendingRows += 1;
    if (plan.pendingRows === plan.rowsPerInsert) {
      plan.many.run(pending);
      plan.pendingRows = 0;
    }
  }

  private plan(entity: string, row: object): TablePlan {
    const meta = this.metadata.get(entity);
    const keys = Object.keys(row);
    const columns = keys.map((key) => {
      const property = meta.properties[key as keyof typeof meta.properties];
      const column = property?.fieldNames?.[0];
      if (!column) throw new Error(`${entity}.${key} is not a column.`);
      return quoteName(column);
    });
    const one = `(${columns.map(() => '?').join(', ')})`;
    const sqlFor = (rows: number) => `insert into ${quoteName(meta.tableName)} (${columns.join(', ')}) values ${Array.from({ length: rows }, () => one).join(', ')}`;
    const rowsPerInsert = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length)));
    const plan: TablePlan = { meta, table: meta.tableName, keys, many: this.db.prepare(sqlFor(rowsPerInsert)), rowsPerInsert, sqlFor, pending: new Array<unknown>(rowsPerInsert * keys.length), pendingRows: 0 };
    this.plans.set(entity, plan);
    return plan;
  }

  /**
   * Writes the rows still queued (a shorter INSERT per table), in the order
   * their tables were first used: after the catalogue this keeps the
   * autoincrement bookkeeping (sqlite_sequence) in the order the ORM wrote it.
   */
  drain(): void {
    for (const plan of this.plans.values()) {
      if (plan.pendingRows === 0) continue;
      this.db.prepare(plan.sqlFor(plan.pendingRows)).run(plan.pending.slice(0, plan.pendingRows * plan.keys.length));
      plan.pendingRows = 0;
    }
  }

  /** Fails (before the commit) when a loaded row references a row that does not exist, as `foreign_keys = ON` would have. */
  private checkForeignKeys(): void {
    for (const plan of this.plans.values()) {
      const broken = this.db.prepare(`pragma foreign_key_check(${quoteName(plan.table)})`).all() as { parent: string }[];
      if (broken.length > 0) throw new Error(`The seed wrote ${broken.length} ${plan.table} rows whose ${broken[0]?.parent} row does not exist.`);
    }
  }

  /** Writes what is queued, builds the dropped indexes again, commits and gives the connection back. */
  async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      this.drain();
      this.checkForeignKeys();
      // A unique index that cannot be built (a duplicate row) fails here and the whole seed rolls back.
      for (const sql of this.indexes) this.db.exec(sql);
      this.db.exec('commit');
    } catch (error) {
      this.db.exec('rollback');
      throw error;
    } finally {
      SqliteBulkWriter.release(this.db, this.restore, this.giveBack);
    }
  }

  /** Rolls the whole load back (the dropped indexes come back with it) and gives the connection back. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      this.db.exec('rollback');
    } finally {
      SqliteBulkWriter.release(this.db, this.restore, this.giveBack);
    }
  }
}
