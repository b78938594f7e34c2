import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import { readAccount, readAchievement, readEnrolment } from './access.js';
import type { MemberContext } from './context.js';
import { registerMemberEnums } from './enums.js';
import { memberResolvers } from './resolvers.js';
import { registerStatisticsEnums } from './statistics.js';

/**
 * How each entity type is loaded from a representation. Learner records go
 * through the same access checks as the root fields, so `_entities` cannot be
 * used to read someone else's record.
 */
const ENTITY_READERS: Record<string, (id: string, context: MemberContext) => Promise<unknown>> = {
  Institution: (id, context) => context.loaders.institution.load(id),
  LearningOpportunity: (id, context) => context.loaders.opportunity.load(id),
  LearnerAccount: (id, context) => readAccount(context, 'referenced', () => context.loaders.account.load(id)),
  Enrolment: (id, context) => readEnrolment(context, 'referenced', () => context.loaders.enrolment.load(id)),
  Achievement: (id, context) => readAchievement(context, 'referenced', () => context.loaders.achievement.load(id)),
};

/**
 * The member subgraph schema: the member contract as implemented by this
 * codebase. Entity references load through the per-request DataLoaders, so
 * one `_entities` call with N representations costs one query per type.
 */
export function buildMemberSchema(): Promise<GraphQLSchema> {
  registerMemberEnums();
  registerStatisticsEnums();
  const referenceResolvers = Object.fromEntries(
    Object.entries(ENTITY_READERS).map(([typeName, read]) => [
      typeName,
      {
        __resolveReference: (reference: Record<string, unknown>, context: MemberContext) => {
          const id = reference['id'];
          return typeof id === 'string' ? read(id, context) : null;
        },
      },
    ]),
  );
  return buildTypeGraphQLSubgraph<MemberContext>({ resolvers: [...memberResolvers], referenceResolvers });
}
