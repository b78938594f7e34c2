import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { AnalyticsContext } from './context.js';
import { Institution, Learner } from './model.js';
import { registerStatisticsEnums } from '../member/statistics.js';
import { analyticsResolvers } from './resolvers.js';

/** The analytics subgraph: learners' feedback on offerings and its quality-assurance summaries (on `LearningOpportunity`, `Institution`, `Learner`). */
export function buildAnalyticsSchema(): Promise<GraphQLSchema> {
  registerStatisticsEnums();
  return buildTypeGraphQLSubgraph<AnalyticsContext>({
    resolvers: [...analyticsResolvers],
    // Reached only through the gateway's entities: no field of this subgraph returns one by itself.
    orphanedTypes: [Learner, Institution],
    referenceResolvers: {
      Learner: { __resolveReference: (reference) => ({ id: reference['id'] }) },
      LearningOpportunity: { __resolveReference: (reference) => ({ id: reference['id'] }) },
      Institution: { __resolveReference: (reference) => ({ id: reference['id'] }) },
    },
  });
}
