import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server used for PostgreSQL tests and migration generation unless configured otherwise. */
export const DEFAULT_POSTGRES_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TemporaryDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${new URL(adminUrl).host} (${(error as Error).message}). ` +
        'Start it, or point TEST_POSTGRES_URL at a server where this user may create databases.',
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database with a random name on the server at `adminUrl`
 * and returns its URL and a function that drops it. Used by tests and by the
 * migration generator; each caller gets its own database, so runs never
 * interfere.
 */
export async function createTemporaryDatabase(adminUrl = DEFAULT_POSTGRES_ADMIN_URL, prefix = 'hub_tmp'): Promise<TemporaryDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database "${name}"`);
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => adminQuery(adminUrl, `drop database if exists "${name}" with (force)`),
  };
}
