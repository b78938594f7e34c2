import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { DefaultLogger, MikroORM, type EntityName, type EntitySchema, type LogContext, type MigrationObject, type Options } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config.js';
import { buildPage, decodeCursor, encodeCursor, ID_CURSOR, type Page } from './pagination.js';
import type { Logger } from './log.js';
import { REPO_ROOT } from './paths.js';
import { hubTracer, recordQuerySpan } from './tracing.js';

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface DatabaseTarget {
  kind: DatabaseKind;
  /** SQLite file path (or `:memory:`) or the PostgreSQL connection URL. */
  location: string;
}

/** Migrations of one subgraph, one list per SQL dialect (MikroORM writes dialect-specific SQL). */
export type MigrationSet = Record<DatabaseKind, MigrationObject[]>;

/**
 * Reads a database URL as users write it in configuration:
 * `postgresql://user@host:5432/db` (or `postgres://`), `sqlite:path/to/file.sqlite`,
 * `sqlite::memory:`, or a bare file path. Relative SQLite paths resolve against `baseDir`.
 */
export function parseDatabaseUrl(url: string, baseDir = process.cwd()): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new Error('The database URL is empty.');
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch {
      throw new Error('The PostgreSQL database URL is not a valid URL.');
    }
    return { kind: 'postgresql', location: trimmed };
  }
  const path = trimmed.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:/i, '');
  if (path === ':memory:') return { kind: 'sqlite', location: ':memory:' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error('Unsupported database URL: use postgresql://… or sqlite:<file>.');
  }
  return { kind: 'sqlite', location: resolve(baseDir, path) };
}

/**
 * A database URL from configuration (an environment variable or a flag named
 * `source`): relative SQLite paths resolve against the repository root, so
 * every service and script finds the same file from any working directory,
 * and a bad URL becomes a one-line ConfigError.
 */
export function configuredDatabase(url: string, source = 'DATABASE_URL'): DatabaseTarget {
  try {
    return parseDatabaseUrl(url, REPO_ROOT);
  } catch (error) {
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
}

export interface OpenDatabaseOptions {
  target: DatabaseTarget;
  entities: EntitySchema[];
  migrations: MigrationSet;
  /** Apply pending migrations on open (the default); the migration tool opens without. */
  migrate?: boolean;
  debug?: boolean;
  /** Pool size for PostgreSQL. */
  poolMax?: number;
  /**
   * Where the database driver's own warnings go (knex: "Connection Error: …" when PostgreSQL drops a
   * connection), so they are lines of the service's log; without it knex writes them to the console.
   */
  logger?: Logger;
}

/** What a service's `open…Database(target, options)` passes on to openDatabase. */
export type DatabaseOpenOptions = Pick<OpenDatabaseOptions, 'migrate' | 'debug' | 'logger'>;

/** knex's log hooks (its `log` option) on the service's logger: a driver warning is a warning of the service. */
function driverLog(logger: Logger): Record<'warn' | 'error' | 'deprecate' | 'debug', (message: unknown) => void> {
  const text = (message: unknown) => (typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message));
  return {
    warn: (message) => logger.warn('database driver', { reason: text(message) }),
    error: (message) => logger.error('database driver', { reason: text(message) }),
    deprecate: (message) => logger.debug('database driver deprecation', { reason: text(message) }),
    debug: (message) => logger.debug('database driver', { reason: text(message) }),
  };
}

/**
 * MikroORM's logger, which hears of every query once it has run (its text and how long it took): with
 * tracing on, each becomes a span named by its statement and table only. Off, one look at the OTel global.
 */
class TracingQueryLogger extends DefaultLogger {
  override logQuery(context: { query: string } & LogContext): void {
    const tracer = hubTracer();
    if (tracer) recordQuerySpan(tracer, context.query, context.took ?? 0, context.connection?.type ?? 'sql', context.level === 'error');
    super.logQuery(context);
  }
}

function ormOptions(options: OpenDatabaseOptions): Options {
  const common = {
    entities: options.entities,
    extensions: [Migrator],
    // Entities are listed explicitly; nothing is discovered from the file system.
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true, warnWhenNoEntities: false },
    // Every request forks its own EntityManager; a shared global one would leak identity maps across users.
    allowGlobalContext: false,
    debug: options.debug ?? false,
    loggerFactory: (loggerOptions) => new TracingQueryLogger(loggerOptions),
    ...(options.logger ? { driverOptions: { log: driverLog(options.logger) } } : {}),
    forceUtcTimezone: true,
    migrations: {
      migrationsList: options.migrations[options.target.kind],
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  } satisfies Partial<Options>;
  if (options.target.kind === 'postgresql') {
    return { ...common, driver: PostgreSqlDriver, clientUrl: options.target.location, pool: { min: 0, max: options.poolMax ?? 10 } };
  }
  if (options.target.location !== ':memory:') mkdirSync(dirname(options.target.location), { recursive: true });
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: options.target.location,
    pool: {
      // WAL lets readers proceed while the importer or seeder writes.
      afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
        connection.pragma('journal_mode = WAL');
        connection.pragma('foreign_keys = ON');
        connection.pragma('synchronous = NORMAL');
        keepPreparedStatements(connection);
        done(null, connection);
      },
    },
  };
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Prepared statements kept per connection: enough for every query shape a service runs, bounded for ad-hoc ones. */
const KEPT_STATEMENTS = 1_000;

/**
 * knex prepares every query's statement anew (better-sqlite3's prepare was ~4 % of the hub's CPU under load,
 * for the same few hundred SQL texts). A statement can be run again and again, and SQLite prepares it afresh
 * by itself when a migration changes the schema, so each connection keeps its statements by SQL text. knex
 * only changes a statement's mode when a query asks for safe integers, which none of ours does.
 */
function keepPreparedStatements(connection: SqliteConnection): void {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value as string);
      kept.set(sql, statement);
    }
    return statement;
  };
}

/** A connected ORM whose schema is up to date (unless `migrate: false`). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(options));
  if (options.migrate !== false) {
    await orm.getMigrator().up();
  }
  return orm;
}

/** The SQL-level EntityManager type all our subgraphs use (both drivers are knex based). */
export type SqlEntityManager = EntityManager;

/**
 * Wraps a column for byte-wise ordering. Keyset cursors are compared across
 * members and in the router with plain JavaScript string comparison, so the SQL
 * order must be byte order on every dialect (PostgreSQL's default collation is
 * locale-aware, SQLite's default is already binary).
 */
export function byteOrder(kind: DatabaseKind, column: string): string {
  return kind === 'postgresql' ? `${column} collate "C"` : column;
}

/**
 * SQL for the UTC month (YYYY-MM) of a datetime column, for grouping counts by
 * month in the database. SQLite holds MikroORM datetimes as epoch
 * milliseconds (text when written by hand), PostgreSQL as timestamptz.
 */
export function utcMonth(kind: DatabaseKind, column: string): string {
  if (kind === 'postgresql') return `to_char(${column} at time zone 'UTC', 'YYYY-MM')`;
  return `(case when typeof(${column}) in ('integer', 'real') then strftime('%Y-%m', ${column} / 1000, 'unixepoch') else substr(${column}, 1, 7) end)`;
}

/**
 * One page of rows ordered by their id in byte order (the keyset order of
 * every "by id" list: learner accounts, a cohort's achievements, the learner
 * register). `base` is the filtered query from `<table> as <alias>`; the total
 * counts it, the page continues after the cursor's id.
 */
export async function pageInIdOrder<T extends { id: string }>(
  em: SqlEntityManager,
  kind: DatabaseKind,
  base: Knex.QueryBuilder,
  options: { alias: string; entity: EntityName<T>; first: number; after?: string | null },
): Promise<Page<T>> {
  const { order, shape } = ID_CURSOR;
  const afterKey = options.after ? decodeCursor(options.after, order, shape) : undefined;
  const idColumn = byteOrder(kind, `${options.alias}.id`);
  const countRow = (await base.clone().count({ count: '*' }).first()) as { count: number | string } | undefined;
  const query = base.clone().select(`${options.alias}.*`);
  if (afterKey) query.whereRaw(`${idColumn} > ?`, [afterKey[0] as string]);
  const rows = (await query.orderByRaw(`${idColumn} asc`).limit(options.first + 1)) as Record<string, unknown>[];
  const entities = rows.map((row) => em.map(options.entity, row as never));
  return buildPage(entities, options.first, Number(countRow?.count ?? 0), (row) => encodeCursor(order, [row.id]), options.after);
}
