import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { LearnersContext } from './context.js';
import { LearnerResolver } from './resolvers.js';

/** The learners subgraph: owns `Learner` and its links to member accounts. */
export function buildLearnersSchema(): Promise<GraphQLSchema> {
  return buildTypeGraphQLSubgraph<LearnersContext>({
    resolvers: [LearnerResolver],
    referenceResolvers: {
      Learner: {
        __resolveReference: (reference, context) => {
          const id = reference['id'];
          return typeof id === 'string' ? context.loaders.learner.load(id) : null;
        },
      },
    },
  });
}
