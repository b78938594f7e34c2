import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteReadPool, READ_IN_PROCESS, type SqliteReadPool } from '../../lib/sqlite-reads.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { temporaryDatabase } from '../helpers/databases.js';

/*
 * Aggregates on a SQLite file run on a worker thread (lib/sqlite-reads.ts):
 * the same rows as the query run in the process, committed writes seen at
 * once, bindings converted as knex converts them, and the event loop free
 * while the query runs (better-sqlite3 would hold it otherwise).
 */

let orm: MikroORM;
let pool: SqliteReadPool;
let file: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await temporaryDatabase('sqlite');
  drop = database.drop;
  file = database.target.location;
  orm = await openMemberDatabase(database.target);
  pool = createSqliteReadPool(1);
  const knex = (orm.em as SqlEntityManager).getKnex();
  await knex.schema.createTable('reading', (table) => {
    table.integer('id').primary();
    table.boolean('passed');
    table.string('member');
  });
  await knex('reading').insert(Array.from({ length: 40 }, (_, i) => ({ id: i + 1, passed: i % 4 === 0, member: i % 2 ? 'tuni.fi' : 'dcu.ie' })));
});
afterAll(async () => {
  await pool?.close();
  await orm?.close();
  await drop?.();
});

describe('heavy reads of a SQLite file', () => {
  it('give the rows the query gives in the process, with booleans bound as knex binds them', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    const query = () => knex('reading').select('member').count({ n: '*' }).where('passed', true).groupBy('member').orderBy('member');
    const inWorker = await pool.forFile(file).rows(query());
    expect(inWorker).toEqual(await READ_IN_PROCESS.rows(query()));
    expect(inWorker).toEqual([
      { member: 'dcu.ie', n: 10 },
    ]);
  });

  it('see a write committed a moment before', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    await knex('reading').insert({ id: 100, passed: true, member: 'tuni.fi' });
    const rows = await pool.forFile(file).rows<{ n: number }>(knex('reading').count({ n: '*' }).where('member', 'tuni.fi').where('passed', true));
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('leave the event loop free while the query runs', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    // A few million steps of a recursive count: long enough to see whether this thread kept turning.
    const slow = knex.raw('with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) select count(*) as steps from n');
    let turns = 0;
    let running = true;
    const spin = () => {
      turns += 1;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const rows = await pool.forFile(file).rows<{ steps: number }>(slow);
    running = false;
    expect(rows).toEqual([{ steps: 3_000_000 }]);
    // In the process, better-sqlite3 would hold the loop for the whole query: not one turn until it ends.
    expect(turns).toBeGreaterThan(20);
  });
});
