import type { GraphQLSchema } from 'graphql';
import { buildTypeGraphQLSubgraph } from '../../lib/federation.js';
import type { EscoContext } from './context.js';
import { registerEscoEnums } from './enums.js';
import { escoResolvers } from './resolvers.js';

const ENTITY_LOADERS = {
  Skill: 'skill',
  SkillGroup: 'skillGroup',
  Occupation: 'occupation',
} as const;

/**
 * The ESCO subgraph schema. Entity references load through the per-request
 * DataLoaders, so one `_entities` call with N representations costs one query
 * per type. A malformed `uri` in a representation resolves to null rather
 * than failing the whole batch.
 */
export function buildEscoSchema(): Promise<GraphQLSchema> {
  registerEscoEnums();
  const referenceResolvers = Object.fromEntries(
    Object.entries(ENTITY_LOADERS).map(([typeName, loader]) => [
      typeName,
      {
        __resolveReference: (reference: Record<string, unknown>, context: EscoContext) => {
          const uri = reference['uri'];
          return typeof uri === 'string' ? context.loaders[loader].load(uri) : null;
        },
      },
    ]),
  );
  return buildTypeGraphQLSubgraph<EscoContext>({ resolvers: [...escoResolvers], referenceResolvers });
}
