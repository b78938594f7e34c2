import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { LearnersContext } from './context.js';
import { registerLearnersEnums } from './enums.js';
import { registerErasureEnums } from './erasure-model.js';
import { EnrolmentResolver } from './enrolment-resolvers.js';
import { MobilityResolver } from './mobility.js';
import { ErasureResolver } from './erasure-resolvers.js';
import { readLearner } from './access.js';
import { ConsentGrantResolver, LearnerResolver } from './resolvers.js';
import { verifierResolvers } from './verifier-resolvers.js';

/** The learners subgraph: owns `Learner`, its links to member accounts, the learner's sharing grants, the verifier register, the access log, and applications for offerings (passed on to the members). */
export function buildLearnersSchema(): Promise<GraphQLSchema> {
  registerLearnersEnums();
  registerErasureEnums();
  return buildTypeGraphQLSubgraph<LearnersContext>({
    resolvers: [LearnerResolver, ConsentGrantResolver, ...verifierResolvers, ErasureResolver, EnrolmentResolver, MobilityResolver],
    referenceResolvers: {
      Learner: {
        __resolveReference: (reference, context) => {
          const id = reference['id'];
          // The same check as learner(id): _entities cannot be used to look at someone else.
          return typeof id === 'string' ? readLearner(context, id, 'referenced') : null;
        },
      },
    },
  });
}
