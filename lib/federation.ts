import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';

/**
 * The one Federation version every subgraph links to. Keeping it in one place
 * means composition never mixes spec versions across our subgraphs.
 */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.7';

export const FEDERATION_LINK = /* GraphQL */ `
extend schema
  @link(url: "${FEDERATION_SPEC_URL}", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@tag", "@inaccessible"])
`;

/** A `__resolveReference` per entity type name. */
export type ReferenceResolvers<TContext> = Record<
  string,
  { __resolveReference: (reference: Record<string, unknown>, context: TContext, info: unknown) => unknown }
>;

export interface TypeGraphQLSubgraphOptions<TContext> {
  // type-graphql's own signature takes class constructors.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  referenceResolvers?: ReferenceResolvers<TContext>;
}

/**
 * Builds a type-graphql schema and turns it into a Federation 2 subgraph
 * schema: print it with its `@key` directives, add the pinned `@link`, and let
 * `@apollo/subgraph` add `_entities`/`_service` with our reference resolvers.
 */
export async function buildTypeGraphQLSubgraph<TContext>(options: TypeGraphQLSubgraphOptions<TContext>): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes ?? [],
    // Validation happens in our resolvers with messages written for users.
    validate: false,
    // type-graphql's own check rejects the federation directives it cannot see.
    skipCheck: true,
  });
  const typeDefs = typeDefsWithLink(printSchemaWithDirectives(schema));
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, reference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...reference } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({ typeDefs, resolvers });
}

/** Prepends the federation `@link` to an SDL string that does not carry it yet. */
export function typeDefsWithLink(sdl: string): DocumentNode {
  return parse(sdl.includes(FEDERATION_SPEC_URL) ? sdl : `${FEDERATION_LINK}\n${sdl}`);
}
