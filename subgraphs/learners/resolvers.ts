// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { connectionType } from '../../lib/graphql-types.js';
import { byteOrder } from '../../lib/orm.js';
import { buildPage, decodeCursor, encodeCursor, pageSize, type Page } from '../../lib/pagination.js';
import type { LearnersContext } from './context.js';
import { Institution, Learner, LearnerAccount } from './model.js';

export const LearnerConnection = connectionType(Learner, 'Learner');

const LEARNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

/** Alliance learner ids are short opaque tokens; anything else is refused before it reaches SQL. */
export function requireLearnerId(id: string, argument = 'id'): string {
  if (!LEARNER_ID_PATTERN.test(id)) {
    throw badUserInput(`"${argument}" must be an alliance learner id: 3–64 letters, digits, ".", "_" or "-", e.g. "eciu-4k7q2m9x8c1z".`, argument);
  }
  return id;
}

async function findLearnersPage(context: LearnersContext, first: number, after: string | null | undefined): Promise<Page<Learner>> {
  const order = 'ID';
  const afterKey = after ? decodeCursor(after, order, ['string']) : undefined;
  const knex = context.em.getKnex();
  const countRow = (await knex('learner').count({ count: '*' }).first()) as { count: number | string } | undefined;
  const idColumn = byteOrder(context.databaseKind, 'l.id');
  const query = knex('learner as l').select('l.*');
  if (afterKey) query.whereRaw(`${idColumn} > ?`, [afterKey[0] as string]);
  const rows = (await query.orderByRaw(`${idColumn} asc`).limit(first + 1)) as Record<string, unknown>[];
  const learners = rows.map((row) => context.em.map(Learner, row));
  return buildPage(learners, first, Number(countRow?.count ?? 0), (learner) => encodeCursor(order, [learner.id]), after);
}

@Resolver(() => Learner)
export class LearnerResolver {
  @Query(() => Learner, { nullable: true, description: 'An alliance learner by their alliance id.' })
  learner(@Arg('id', () => ID) id: string, @Ctx() context: LearnersContext): Promise<Learner | null> {
    return context.loaders.learner.load(requireLearnerId(id));
  }

  @Query(() => LearnerConnection, { nullable: true, description: 'All alliance learners ordered by id, one page at a time (for alliance administrators).' })
  learners(
    @Ctx() context: LearnersContext,
    // type-graphql prints arguments in reverse declaration order.
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    return findLearnersPage(context, pageSize(first), after);
  }

  @FieldResolver(() => [ID], { description: "Global ids of the learner's accounts at members (the router uses them to ask only those members)." })
  async memberAccountIds(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<string[]> {
    const links = await context.loaders.linksByLearner.load(learner.id);
    return links.map((link) => link.accountId);
  }

  // Items are nullable: an account is resolved by its member, and a member that cannot answer must not null the learner.
  @FieldResolver(() => [LearnerAccount], {
    nullable: 'items',
    description: "The learner's accounts at members; an account is null while its member cannot answer (the response then carries an error naming the member).",
  })
  async memberAccounts(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<(LearnerAccount | null)[]> {
    const links = await context.loaders.linksByLearner.load(learner.id);
    return links.map((link) => ({ id: link.accountId }));
  }

  @FieldResolver(() => [Institution], { nullable: 'items', description: 'The members where the learner has an account (null while a member cannot answer).' })
  async members(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<(Institution | null)[]> {
    const links = await context.loaders.linksByLearner.load(learner.id);
    return [...new Set(links.map((link) => link.memberId))].map((id) => ({ id }));
  }
}
