import type { MikroORM } from '@mikro-orm/core';
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

/** Rows per INSERT statement: large enough to be fast, small enough for SQLite's parameter limit. */
const BATCH = 400;

export interface SeedProgress {
  /** What is being written, e.g. "tuni.fi" or "learners". */
  target: string;
  learnersDone: number;
  learnersTotal: number;
}

type Rows = Record<string, object[]>;

/** Buffers rows per entity and writes them in batches, each batch in its own transaction. */
class BatchWriter {
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
}

const MEMBER_ENTITIES = {
  LearningOpportunity,
  LearningOutcome,
  LearnerAccount,
  Enrolment,
  Achievement,
  AcquiredSkill,
  Institution,
} as unknown as Record<string, new () => object>;

function addOffering(writer: BatchWriter, offering: DemoOffering): void {
  const { outcomes, ...columns } = offering;
  writer.add('LearningOpportunity', columns);
  for (const outcome of outcomes) writer.add('LearningOutcome', { ...outcome, opportunity: offering.id });
}

function addAccount(writer: BatchWriter, learner: DemoLearner, account: DemoAccount): void {
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

async function clearMember(em: SqlEntityManager): Promise<void> {
  // A seed that stopped half-way left rows but no profile (the profile is written last): start clean.
  for (const table of ['acquired_skill', 'achievement', 'enrolment', 'learner_account', 'learning_outcome', 'learning_opportunity', 'institution']) {
    await em.getKnex()(table).delete();
  }
}

/**
 * Seeds the demo data for several members (and optionally the learner
 * register) in one pass over the learners. Each member's profile is written
 * last, so a member whose seeding was interrupted is cleaned and reseeded.
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
  const seed = demoSeed(options);
  const catalogues = generateCatalogues(seed);
  const writers = new Map<string, BatchWriter>();
  for (const [memberId, { orm }] of targets.members) {
    const em = orm.em.fork() as SqlEntityManager;
    await clearMember(em);
    const writer = new BatchWriter(em, MEMBER_ENTITIES);
    for (const offering of catalogues.get(memberId) ?? []) addOffering(writer, offering);
    await writer.flush();
    writers.set(memberId, writer);
  }
  let learnerWriter: BatchWriter | undefined;
  if (targets.learners) {
    const em = targets.learners.em.fork() as SqlEntityManager;
    await em.getKnex()('learner_account_link').delete();
    await em.getKnex()('learner').delete();
    learnerWriter = new BatchWriter(em, { Learner, LearnerAccountLink } as unknown as Record<string, new () => object>);
  }
  const flushAll = async () => {
    await Promise.all([...writers.values(), ...(learnerWriter ? [learnerWriter] : [])].map((writer) => writer.flush()));
  };
  const step = Math.max(1, Math.floor(options.learners / 20));
  for (let index = 0; index < options.learners; index += 1) {
    const learner = generateLearner(index, catalogues, seed);
    if (learnerWriter) {
      learnerWriter.add('Learner', { id: learner.id, createdAt: learner.createdAt });
      for (const account of learner.accounts) {
        if (targets.learnerMembers && !targets.learnerMembers.has(account.memberId)) continue;
        learnerWriter.add('LearnerAccountLink', { learner: learner.id, memberId: account.memberId, accountId: account.id, linkedAt: account.createdAt });
      }
    }
    for (const account of learner.accounts) {
      const writer = writers.get(account.memberId);
      if (writer) addAccount(writer, learner, account);
    }
    if ((index + 1) % 2_000 === 0) await flushAll();
    if ((index + 1) % step === 0 || index + 1 === options.learners) {
      onProgress({ target: [...targets.members.keys()].join(', ') || 'learners', learnersDone: index + 1, learnersTotal: options.learners });
    }
  }
  await flushAll();
  // The profile goes in last: its presence means "seeded completely".
  for (const [memberId, { profile }] of targets.members) {
    const writer = writers.get(memberId) as BatchWriter;
    writer.add('Institution', institutionRow(profile));
    await writer.flush();
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
  const register = new BatchWriter(targets.learners.em.fork() as SqlEntityManager, { Learner, LearnerAccountLink } as unknown as Record<string, new () => object>);
  register.add('Learner', { id: learner.id, createdAt: learner.createdAt });
  for (const account of learner.accounts) {
    if (targets.members.has(account.memberId)) register.add('LearnerAccountLink', { learner: learner.id, memberId: account.memberId, accountId: account.id, linkedAt: account.createdAt });
  }
  await register.flush();
}
