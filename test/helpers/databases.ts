import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseKind, DatabaseTarget } from '../../lib/orm.js';
import { createTemporaryDatabase, DEFAULT_POSTGRES_ADMIN_URL } from '../../lib/postgres-admin.js';

/**
 * Both SQL dialects the hub supports. Data-layer tests run once per kind with
 * `describe.each(DATABASE_KINDS)`. PostgreSQL is not optional: when the server
 * is unreachable the tests fail with a message saying so (CI must not pass
 * without having exercised PostgreSQL).
 */
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'postgresql'];

export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] ?? DEFAULT_POSTGRES_ADMIN_URL;

export interface TemporaryTarget {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind; `drop()` removes it. */
export async function temporaryDatabase(kind: DatabaseKind): Promise<TemporaryTarget> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
    return {
      target: { kind, location: join(dir, 'test.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_test');
  return { target: { kind, location: database.url }, drop: () => database.drop() };
}
