import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { IssuanceContext } from './context.js';
import { Credential, registerIssuanceEnums, registerWalletEnums } from './model.js';
import { IssuedCredential } from './records.js';
import { checkMayRead, CredentialResolver, LearnerCredentialsResolver } from './resolvers.js';
import { CredentialStatisticsResolver } from './statistics.js';
import { WalletResolver } from './wallet-resolvers.js';

/** The issuance subgraph: credentials, their verification and the register of trusted issuers. */
export function buildIssuanceSchema(): Promise<GraphQLSchema> {
  registerIssuanceEnums();
  registerWalletEnums();
  return buildTypeGraphQLSubgraph<IssuanceContext>({
    resolvers: [CredentialResolver, LearnerCredentialsResolver, WalletResolver, CredentialStatisticsResolver],
    orphanedTypes: [Credential],
    referenceResolvers: {
      Learner: { __resolveReference: (reference) => ({ id: reference['id'] }) },
      Credential: {
        __resolveReference: async (reference, context) => {
          const id = reference['id'];
          if (typeof id !== 'string') return null;
          const credential = await context.em.findOne(IssuedCredential, { id });
          if (!credential) return null;
          // The same rule as credential(id): _entities cannot be used to read someone else's.
          checkMayRead(context, credential);
          return credential;
        },
      },
    },
  });
}
