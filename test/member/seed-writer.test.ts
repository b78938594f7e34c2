import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile, type MemberProfile } from '../../hub/alliance.js';
import { seedDemo } from '../../hub/seed.js';
import { startSeedWorker } from '../../hub/seed-parallel.js';
import { sqliteFile, SqliteBulkWriter } from '../../hub/seed-sqlite.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openLearnersDatabase } from '../../subgraphs/learners/database.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { temporaryDatabase } from '../helpers/databases.js';

/*
 * The demo seed's SQLite writing (hub/seed-sqlite.ts, hub/seed-parallel.ts):
 * a worker thread writes exactly what the main thread writes, and a bulk load
 * that fails leaves the database as it was, indexes included.
 */

const MEMBERS = ['tuni.fi', 'ua.pt'];
const LEARNERS = 120;
const TABLES = ['learning_opportunity', 'learning_outcome', 'learner_account', 'enrolment', 'achievement', 'acquired_skill', 'institution', 'sqlite_sequence'];

/** What the seed loads into a member's database, parents first. */
const MEMBER_ENTITIES = ['LearningOpportunity', 'LearningOutcome', 'LearnerAccount', 'Enrolment', 'Achievement', 'AcquiredSkill', 'Institution'];

const opened: { orm: MikroORM; drop: () => Promise<void> }[] = [];

async function memberDatabase(): Promise<MikroORM> {
  const database = await temporaryDatabase('sqlite');
  const orm = await openMemberDatabase(database.target);
  opened.push({ orm, drop: database.drop });
  return orm;
}

const query = (orm: MikroORM, sql: string) => (orm.em.fork() as SqlEntityManager).getConnection().execute(sql) as Promise<Record<string, unknown>[]>;

/** Every row of the seeded tables in storage order, the schema, and the journal mode. */
async function contents(orm: MikroORM): Promise<Record<string, unknown>> {
  const tables: Record<string, unknown> = {};
  for (const table of TABLES) tables[table] = await query(orm, `select * from \`${table}\` order by rowid`);
  return {
    tables,
    schema: await query(orm, `select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_autoindex%' order by name`),
    journal: await query(orm, 'pragma journal_mode'),
  };
}

afterAll(async () => {
  for (const { orm, drop } of opened) {
    await orm.close(true);
    await drop();
  }
});

describe('the demo seed on SQLite', () => {
  const profile = (id: string) => memberProfile(id) as MemberProfile;
  let single: Map<string, MikroORM>;

  beforeAll(async () => {
    single = new Map();
    for (const id of MEMBERS) single.set(id, await memberDatabase());
    await seedDemo({ members: new Map([...single].map(([id, orm]) => [id, { orm, profile: profile(id) }])) }, { learners: LEARNERS });
  });

  it('writes in a worker thread exactly the rows, ids and indexes the main thread writes', async () => {
    const other = new Map<string, MikroORM>();
    for (const id of MEMBERS) other.set(id, await memberDatabase());
    const worker = await startSeedWorker(
      [...other].map(([memberId, orm]) => ({ memberId, orm, path: sqliteFile(orm) as string })),
      { learners: LEARNERS },
    );
    try {
      await worker.done;
    } finally {
      await worker.close();
    }
    for (const id of MEMBERS) {
      const expected = await contents(single.get(id) as MikroORM);
      expect((expected['tables'] as Record<string, unknown[]>)['enrolment']?.length).toBeGreaterThan(0);
      expect(await contents(other.get(id) as MikroORM)).toEqual(expected);
    }
  });

  it('reseeding gives the same rows again and keeps the journal and the indexes', async () => {
    const orm = single.get('tuni.fi') as MikroORM;
    const before = await contents(orm);
    await seedDemo({ members: new Map([['tuni.fi', { orm, profile: profile('tuni.fi') }]]) }, { learners: LEARNERS });
    const after = await contents(orm);
    // Autoincrement ids go on from where they were (as `delete from` always did); everything else is identical.
    const strip = (value: Record<string, unknown>) => {
      const tables = { ...(value['tables'] as Record<string, Record<string, unknown>[]>) };
      for (const table of ['learning_outcome', 'acquired_skill', 'sqlite_sequence']) tables[table] = (tables[table] ?? []).map(({ id: _id, seq: _seq, ...rest }) => rest);
      return { ...value, tables };
    };
    expect(strip(after)).toEqual(strip(before));
    expect(after['journal']).toEqual([{ journal_mode: 'wal' }]);
  });

  it('rolls a failed load back: the rows and the dropped indexes are as they were', async () => {
    const orm = single.get('ua.pt') as MikroORM;
    const before = await contents(orm);
    const writer = await SqliteBulkWriter.open(orm, MEMBER_ENTITIES);
    writer.add('LearnerAccount', { id: 'ua.pt:lrn-x', givenName: 'A', familyName: 'B', createdAt: new Date(0) });
    // An enrolment of an account and an offering that do not exist: the foreign key check refuses the commit.
    writer.add('Enrolment', { id: 'ua.pt:enr-x', account: 'ua.pt:nobody', opportunity: 'ua.pt:nothing', status: 'ENROLLED', enrolledAt: new Date(0), statusChangedAt: new Date(0) });
    await expect(writer.finish()).rejects.toThrow(/enrolment rows whose .* row does not exist/);
    expect(await contents(orm)).toEqual(before);
  });

  it('refuses a row without a property the first row of its table had', async () => {
    const orm = single.get('ua.pt') as MikroORM;
    const before = await contents(orm);
    const writer = await SqliteBulkWriter.open(orm, MEMBER_ENTITIES);
    try {
      writer.add('LearnerAccount', { id: 'ua.pt:lrn-y', givenName: 'A', familyName: 'B', email: 'a@b', createdAt: new Date(0) });
      expect(() => writer.add('LearnerAccount', { id: 'ua.pt:lrn-z', givenName: 'A', familyName: 'B', createdAt: new Date(0) })).toThrow(/one has no email/);
    } finally {
      await writer.abort();
    }
    expect(await contents(orm)).toEqual(before);
  });

  it('reseeding the register still deletes what depends on its learners (consent grants), as the foreign keys cascade', async () => {
    const database = await temporaryDatabase('sqlite');
    const orm = await openLearnersDatabase(database.target);
    opened.push({ orm, drop: database.drop });
    await seedDemo({ members: new Map(), learners: orm }, { learners: LEARNERS });
    const [learner] = await query(orm, 'select id from learner order by id limit 1');
    await query(
      orm,
      `insert into consent_grant (id, learner_id, grantee_kind, purpose, scope_list, granted_at, expires_at) values ('g1', '${String(learner?.['id'])}', 'MEMBER', 'p', 'a', 0, 0)`,
    );
    await seedDemo({ members: new Map(), learners: orm }, { learners: LEARNERS });
    expect(await query(orm, 'select count(*) as n from consent_grant')).toEqual([{ n: 0 }]);
    expect(await query(orm, 'select count(*) as n from learner')).toEqual([{ n: LEARNERS }]);
  });
});
