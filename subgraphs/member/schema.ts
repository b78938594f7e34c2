import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { MemberContext } from './context.js';
import { registerMemberEnums } from './enums.js';
import { memberResolvers } from './resolvers.js';

const ENTITY_LOADERS = {
  Institution: 'institution',
  LearningOpportunity: 'opportunity',
  LearnerAccount: 'account',
  Enrolment: 'enrolment',
  Achievement: 'achievement',
} as const;

/**
 * The member subgraph schema: the member contract as implemented by this
 * codebase. Entity references load through the per-request DataLoaders, so
 * one `_entities` call with N representations costs one query per type.
 */
export function buildMemberSchema(): Promise<GraphQLSchema> {
  registerMemberEnums();
  const referenceResolvers = Object.fromEntries(
    Object.entries(ENTITY_LOADERS).map(([typeName, loader]) => [
      typeName,
      {
        __resolveReference: (reference: Record<string, unknown>, context: MemberContext) => {
          const id = reference['id'];
          return typeof id === 'string' ? context.loaders[loader].load(id) : null;
        },
      },
    ]),
  );
  return buildTypeGraphQLSubgraph<MemberContext>({ resolvers: [...memberResolvers], referenceResolvers });
}
