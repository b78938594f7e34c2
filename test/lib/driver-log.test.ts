import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../lib/postgres-admin.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { TEST_POSTGRES_URL } from '../helpers/databases.js';

/*
 * The database driver's own warnings are lines of the service's log (lib/orm.ts, `logger`): knex writes
 * "Connection Error: …" when it finds a pooled connection PostgreSQL has dropped, which went straight to
 * the console, a text line in a JSON log, while PostgreSQL restarted (test/operations/postgres-restart.test.ts).
 */

let database: TemporaryDatabase | undefined;
afterAll(async () => {
  await database?.drop();
});

describe("the database driver's warnings", () => {
  it('reach the service logger as one JSON line when PostgreSQL drops a pooled connection', async () => {
    database = await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_driver_log');
    const lines: string[] = [];
    const orm = await openMemberDatabase({ kind: 'postgresql', location: database.url }, { logger: createLogger({ name: 'member test', format: 'json', write: (line) => lines.push(line) }) });
    try {
      await orm.em.getConnection().execute('select 1');
      // What a restart does to an idle pooled connection.
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The pool finds the dead connection, says so, and serves from a new one.
      await expect(orm.em.getConnection().execute('select 1 as one')).resolves.toEqual([{ one: 1 }]);
    } finally {
      await orm.close();
    }
    const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['message'] === 'database driver');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ level: 'warn', reason: expect.stringContaining('Connection Error') });
  });
});
