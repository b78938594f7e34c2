import type { MetadataStorage, MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '../lib/orm.js';
import { Learner, LearnerAccountLink } from '../subgraphs/learners/model.js';
import {
  AcquiredSkill,
  Achievement,
  Enrolment,
  Institution,
  LearnerAccount,
  LearningOpportunity,
  LearningOutcome,
} from '../subgraphs/member/model.js';
import type { MemberProfile } from './alliance.js';
import { demoSeed, generateCatalogues, generateLearner, type DemoAccount, type DemoLearner, type DemoOffering, type DemoOptions } from './demo.js';
import { splitForWorker, startSeedWorker } from './seed-parallel.js';
import { isBetterSqlite, SqliteBulkWriter } from './seed-sqlite.js';

/** Rows per INSERT statement: large enough to be fast, small enough for SQLite's parameter limit. */
const BATCH = 400;

export interface SeedProgress {
  /** What is being written, e.g. "tuni.fi" or "learners". */
  target: string;
  learnersDone: number;
  learnersTotal: number;
}

type Rows = Record<string, object[]>;

/** Where the seed puts rows of entities (by class name): the ORM for PostgreSQL, the SQLite bulk writer for files. */
export interface SeedWriter {
  add(entity: string, row: object): void;
  /** Called every few thousand learners: writes what is buffered (or only lets the event loop run). */
  flush(): Promise<void>;
  /** Writes the rest; after it the data is committed. */
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/** Buffers rows per entity and writes them through `em.insertMany` in batches, each batch in its own transaction. */
class BatchWriter implements SeedWriter {
  private readonly rows: Rows = {};
  private readonly order: string[] = [];
  constructor(
    private readonly em: SqlEntityManager,
    private readonly entities: Record<string, new () => object>,
  ) {}

  add(entity: string, row: object): void {
    if (!this.rows[entity]) {
      this.rows[entity] = [];
      this.order.push(entity);
    }
    this.rows[entity].push(row);
  }

  pending(): number {
    return Object.values(this.rows).reduce((sum, rows) => sum + rows.length, 0);
  }

  /** Writes everything buffered, parents before children (the order entities were first added). */
  async flush(): Promise<void> {
    await this.em.transactional(async (tx) => {
      for (const entity of this.order) {
        const rows = this.rows[entity] ?? [];
        for (let i = 0; i < rows.length; i += BATCH) {
          await tx.insertMany(this.entities[entity] as new () => object, rows.slice(i, i + BATCH));
        }
        this.rows[entity] = [];
      }
    });
  }

  finish(): Promise<void> {
    return this.flush();
  }

  async abort(): Promise<void> {
    for (const entity of this.order) this.rows[entity] = [];
  }
}

/** The SQLite bulk writer behind the seed's interface: it writes as rows come, so a flush only yields. */
class BulkSeedWriter implements SeedWriter {
  constructor(private readonly writer: SqliteBulkWriter) {}

  add(entity: string, row: object): void {
    this.writer.add(entity, row);
  }

  flush(): Promise<void> {
    this.writer.drain();
    // The writes are synchronous: give timers and I/O (progress, health checks) a turn now and then.
    return new Promise((resolve) => setImmediate(resolve));
  }

  finish(): Promise<void> {
    return this.writer.finish();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

/**
 * Empties the tables of these entities (listed parents first) and returns a
 * writer for them: the bulk writer on SQLite (emptying and filling in one
 * transaction), batches through the ORM elsewhere.
 */
async function openWriter(orm: MikroORM, entities: Record<string, new () => object>): Promise<SeedWriter> {
  if (isBetterSqlite(orm)) return new BulkSeedWriter(await SqliteBulkWriter.open(orm, Object.keys(entities)));
  const em = orm.em.fork() as SqlEntityManager;
  for (const entity of Object.keys(entities).reverse()) await em.getKnex()(orm.getMetadata().get(entity).tableName).delete();
  return new BatchWriter(em, entities);
}

const LEARNER_ENTITIES = { Learner, LearnerAccountLink } as unknown as Record<string, new () => object>;

const MEMBER_ENTITIES = {
  LearningOpportunity,
  LearningOutcome,
  LearnerAccount,
  Enrolment,
  Achievement,
  AcquiredSkill,
  Institution,
} as unknown as Record<string, new () => object>;

function addOffering(writer: SeedWriter, offering: DemoOffering): void {
  const { outcomes, ...columns } = offering;
  writer.add('LearningOpportunity', columns);
  for (const outcome of outcomes) writer.add('LearningOutcome', { ...outcome, opportunity: offering.id });
}

function addAccount(writer: SeedWriter, learner: DemoLearner, account: DemoAccount): void {
  const { enrolments, memberId: _memberId, ...columns } = account;
  writer.add('LearnerAccount', { ...columns, allianceLearnerId: learner.id });
  for (const enrolment of enrolments) {
    const { achievement, opportunityId, ...enrolmentColumns } = enrolment;
    writer.add('Enrolment', { ...enrolmentColumns, account: account.id, opportunity: opportunityId });
    if (!achievement) continue;
    const { skills, ...achievementColumns } = achievement;
    writer.add('Achievement', { ...achievementColumns, account: account.id, opportunity: opportunityId, enrolment: enrolment.id });
    for (const skill of skills) writer.add('AcquiredSkill', { ...skill, achievement: achievement.id });
  }
}

function institutionRow(member: MemberProfile): object {
  return {
    id: member.id,
    name: member.name,
    shortName: member.shortName,
    country: member.country,
    associate: member.associate,
    accreditationAuthority: member.accreditationAuthority,
    qaBody: member.qaBody,
    qaArrangement: member.qaArrangement,
    website: member.website,
  };
}

/** True when the member database already holds its profile (seeding finished once). */
export async function memberIsSeeded(orm: MikroORM, memberId: string): Promise<boolean> {
  return (await orm.em.fork().count(Institution, { id: memberId })) > 0;
}

/** True when the learner register holds exactly the demo's learners (a partial seed is redone). */
export async function learnersAreSeeded(orm: MikroORM, options: DemoOptions): Promise<boolean> {
  return (await orm.em.fork().count(Learner, {})) === options.learners;
}

/** Opened writers for one pass over the learners: each member's (with its profile) and the learner register's. */
export interface DemoWriters {
  members: ReadonlyMap<string, { writer: SeedWriter; profile: MemberProfile }>;
  learners?: SeedWriter;
  /** Members the learner register links accounts at (default: all). */
  learnerMembers?: ReadonlySet<string>;
}

/**
 * Writes the demo data into opened writers in one pass over the learners,
 * then finishes them; on an error every writer is aborted. Shared by the
 * main thread and the seed worker (hub/seed-worker.ts), so both write the
 * same rows.
 */
export async function fillDemo(writers: DemoWriters, options: DemoOptions, onProgress: (progress: SeedProgress) => void = () => {}): Promise<void> {
  const all = [...[...writers.members.values()].map(({ writer }) => writer), ...(writers.learners ? [writers.learners] : [])];
  try {
    const seed = demoSeed(options);
    const catalogues = generateCatalogues(seed);
    for (const [memberId, { writer }] of writers.members) {
      for (const offering of catalogues.get(memberId) ?? []) addOffering(writer, offering);
      await writer.flush();
    }
    const flushAll = () => Promise.all(all.map((writer) => writer.flush()));
    const step = Math.max(1, Math.floor(options.learners / 20));
    const register = writers.learners;
    for (let index = 0; index < options.learners; index += 1) {
      const learner = generateLearner(index, catalogues, seed);
      if (register) {
        register.add('Learner', { id: learner.id, createdAt: learner.createdAt });
        for (const account of learner.accounts) {
          if (writers.learnerMembers && !writers.learnerMembers.has(account.memberId)) continue;
          register.add('LearnerAccountLink', { learner: learner.id, memberId: account.memberId, accountId: account.id, linkedAt: account.createdAt });
        }
      }
      for (const account of learner.accounts) {
        const writer = writers.members.get(account.memberId)?.writer;
        if (writer) addAccount(writer, learner, account);
      }
      if ((index + 1) % 2_000 === 0) await flushAll();
      if ((index + 1) % step === 0 || index + 1 === options.learners) {
        onProgress({ target: [...writers.members.keys()].join(', ') || 'learners', learnersDone: index + 1, learnersTotal: options.learners });
      }
    }
    await flushAll();
    // The profile goes in last: its presence means "seeded completely".
    for (const { writer, profile } of writers.members.values()) writer.add('Institution', institutionRow(profile));
    // Every SQLite database commits on its own: one finishing after another fails still holds a complete seed.
    for (const writer of all) await writer.finish();
  } catch (error) {
    for (const writer of all) await writer.abort().catch(() => {});
    throw error;
  }
}

/** A bulk writer for a member's SQLite file on a connection of its own (the seed worker's). */
export function openMemberFileWriter(path: string, metadata: MetadataStorage): SeedWriter {
  return new BulkSeedWriter(SqliteBulkWriter.openFile(path, metadata, Object.keys(MEMBER_ENTITIES)));
}

/**
 * Seeds the demo data for several members (and optionally the learner
 * register) in one pass over the learners. Each member's profile is written
 * last, so a member whose seeding was interrupted is cleaned and reseeded.
 * Large seeds on SQLite files give about half of the members to a worker
 * thread (hub/seed-parallel.ts): the second core.
 */
export async function seedDemo(
  targets: {
    members: ReadonlyMap<string, { orm: MikroORM; profile: MemberProfile }>;
    learners?: MikroORM;
    /** Members the learner register links accounts at (default: all); a deployment with fewer members passes its own. */
    learnerMembers?: ReadonlySet<string>;
  },
  options: DemoOptions,
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<void> {
  const { here, elsewhere } = splitForWorker(targets.members, options);
  const worker = elsewhere.length > 0 ? await startSeedWorker(elsewhere, options) : undefined;
  const members = new Map<string, { writer: SeedWriter; profile: MemberProfile }>();
  let learners: SeedWriter | undefined;
  try {
    try {
      // A seed that stopped half-way left rows but no profile (the profile is written last): opening starts clean.
      for (const [memberId, { orm, profile }] of here) members.set(memberId, { writer: await openWriter(orm, MEMBER_ENTITIES), profile });
      if (targets.learners) learners = await openWriter(targets.learners, LEARNER_ENTITIES);
    } catch (error) {
      for (const { writer } of members.values()) await writer.abort().catch(() => {});
      throw error;
    }
    const mine = fillDemo({ members, ...(learners ? { learners } : {}), ...(targets.learnerMembers ? { learnerMembers: targets.learnerMembers } : {}) }, options, onProgress);
    // Both halves run to their end (each commits or rolls back its own databases) before an error of either is thrown.
    const [own, other] = await Promise.allSettled([mine, worker?.done]);
    if (own.status === 'rejected') throw own.reason;
    if (other.status === 'rejected') throw other.reason;
  } finally {
    await worker?.close();
  }
}

/** Alliance ids of demo learners that study at three or more members (for `npm start` to print). */
export function showcaseLearners(options: DemoOptions, count = 3): { id: string; members: string[] }[] {
  const seed = demoSeed(options);
  const catalogues = generateCatalogues(seed);
  const found: { id: string; members: string[] }[] = [];
  for (let index = 0; index < options.learners && found.length < count; index += 1) {
    const learner = generateLearner(index, catalogues, seed);
    const withAchievements = learner.accounts.filter((account) => account.enrolments.some((enrolment) => enrolment.achievement?.passed));
    if (withAchievements.length >= 3) found.push({ id: learner.id, members: withAchievements.map((account) => account.memberId) });
  }
  return found;
}

/**
 * Adds one generated learner to seeded databases (the benchmarks' learner
 * with a long record): their accounts at each member, and the register entry
 * with its links.
 */
export async function addDemoLearner(targets: { members: ReadonlyMap<string, MikroORM>; learners: MikroORM }, learner: DemoLearner): Promise<void> {
  for (const account of learner.accounts) {
    const orm = targets.members.get(account.memberId);
    if (!orm) continue;
    const writer = new BatchWriter(orm.em.fork() as SqlEntityManager, MEMBER_ENTITIES);
    addAccount(writer, learner, account);
    await writer.flush();
  }
  const register = new BatchWriter(targets.learners.em.fork() as SqlEntityManager, LEARNER_ENTITIES);
  register.add('Learner', { id: learner.id, createdAt: learner.createdAt });
  for (const account of learner.accounts) {
    if (targets.members.has(account.memberId)) register.add('LearnerAccountLink', { learner: learner.id, memberId: account.memberId, accountId: account.id, linkedAt: account.createdAt });
  }
  await register.flush();
}
