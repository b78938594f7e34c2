import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { PassportContext } from './context.js';
import { Learner, registerPassportEnums } from './model.js';
import { LearnerPassportResolver, PassportCredentialResolver } from './resolvers.js';

/** The passport subgraph: on `Learner`, the competence passport and the external credentials the learner added to it. */
export function buildPassportSchema(): Promise<GraphQLSchema> {
  registerPassportEnums();
  return buildTypeGraphQLSubgraph<PassportContext>({
    resolvers: [LearnerPassportResolver, PassportCredentialResolver],
    // Reached only through the gateway's Learner: no field of this subgraph returns one.
    orphanedTypes: [Learner],
    referenceResolvers: {
      Learner: { __resolveReference: (reference) => ({ id: reference['id'] }) },
    },
  });
}
