import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { PassportContext } from './context.js';
import { Learner, registerPassportEnums } from './model.js';
import { LearnerPassportExportResolver, LearnerPassportResolver, PassportCredentialResolver } from './resolvers.js';
import { LearnerScanResolver, QuestionnaireResolver, ScanResolver } from './scan-resolvers.js';
import { registerScanEnums } from './scan-model.js';
import { LearnerRecommendationResolver } from './recommend-resolvers.js';
import { registerRecommendationEnums } from './recommend-model.js';

/** The passport subgraph: on `Learner`, the competence passport (and its export), the external credentials the learner added to it, and their motivation scan. */
export function buildPassportSchema(): Promise<GraphQLSchema> {
  registerPassportEnums();
  registerScanEnums();
  registerRecommendationEnums();
  return buildTypeGraphQLSubgraph<PassportContext>({
    resolvers: [LearnerPassportResolver, LearnerPassportExportResolver, PassportCredentialResolver, QuestionnaireResolver, LearnerScanResolver, ScanResolver, LearnerRecommendationResolver],
    // Reached only through the gateway's Learner: no field of this subgraph returns one.
    orphanedTypes: [Learner],
    referenceResolvers: {
      Learner: { __resolveReference: (reference) => ({ id: reference['id'] }) },
    },
  });
}
