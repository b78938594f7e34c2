import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { RecognitionContext } from './context.js';
import { registerRecognitionEnums } from './enums.js';
import { LearnerRecognitionResolver, readRequest, RecognitionRequestResolver } from './resolvers.js';
import { RecognitionRuleResolver } from './rule-resolvers.js';
import { RecognitionStatisticsResolver } from './statistics.js';
import { LearnerPathwayResolver, PathwayResolver } from './pathway-resolvers.js';
import { Pathway as PathwayRow } from './records.js';
import { UUID_PATTERN } from '../../lib/ids.js';

/** The recognition subgraph: recognition requests and decisions, members' recognition rules, and (on `Learner`) a learner's requests. */
export function buildRecognitionSchema(): Promise<GraphQLSchema> {
  registerRecognitionEnums();
  return buildTypeGraphQLSubgraph<RecognitionContext>({
    resolvers: [LearnerRecognitionResolver, RecognitionRequestResolver, RecognitionRuleResolver, LearnerPathwayResolver, PathwayResolver, RecognitionStatisticsResolver],
    referenceResolvers: {
      Learner: { __resolveReference: (reference) => ({ id: reference['id'] }) },
      RecognitionRequest: {
        // The same rule as recognitionRequest(id): _entities cannot be used to read someone else's.
        __resolveReference: (reference, context) => (typeof reference['id'] === 'string' ? readRequest(context, reference['id']) : null),
      },
      Pathway: {
        __resolveReference: (reference, context) => (typeof reference['id'] === 'string' && UUID_PATTERN.test(reference['id']) ? context.em.findOne(PathwayRow, { id: reference['id'] }) : null),
      },
      RecognitionRule: {
        __resolveReference: (reference, context) => (typeof reference['id'] === 'string' && UUID_PATTERN.test(reference['id']) ? context.loaders.rule.load(reference['id']) : null),
      },
    },
  });
}
