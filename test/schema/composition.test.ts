import { ApolloGateway } from '@apollo/gateway';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supergraphSubgraphs } from '../../gateway/gateway.js';
import { composeHub, readSupergraph, SCHEMA_DIR, SUBGRAPHS } from '../../gateway/supergraph.js';
import { MEMBER_ENTITY_TYPES, ROOT_FIELD_STRATEGIES, ROOT_MUTATION_STRATEGIES } from '../../subgraphs/members/resolvers.js';
import { readMemberContract } from '../../subgraphs/members/schema.js';

describe('the committed schema', () => {
  it('is what `npm run compose` produces from the code (run it and commit when this fails)', async () => {
    const files = await composeHub();
    for (const [relative, content] of Object.entries(files)) {
      const committed = readFileSync(join(SCHEMA_DIR, relative), 'utf8');
      expect(committed, `schema/${relative} is stale: run npm run compose`).toBe(content);
    }
  });

  it('loads in @apollo/gateway with the subgraphs the hub defines', async () => {
    const supergraphSdl = readSupergraph();
    const gateway = new ApolloGateway({ supergraphSdl });
    const { schema } = await gateway.load();
    expect(schema.getQueryType()?.getFields()['learner']).toBeDefined();
    expect(schema.getQueryType()?.getFields()['offerings']).toBeDefined();
    expect(schema.getQueryType()?.getFields()['skills']).toBeDefined();
    await gateway.stop();
    expect(supergraphSubgraphs(supergraphSdl).map((subgraph) => subgraph.name).sort()).toEqual(SUBGRAPHS.map((subgraph) => subgraph.name).sort());
  });

  it('uses no directive that other Federation 2 gateways or @apollo/gateway refuse', () => {
    expect(readSupergraph()).not.toMatch(/@(authenticated|requiresScopes|policy|context|fromContext|cost|listSize)\b/);
  });
});

describe('the member contract', () => {
  const contract = readMemberContract();
  const objects = contract.definitions.filter((definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION);

  it('has a routing strategy in the router for every root field', () => {
    const query = objects.find((definition) => definition.name.value === 'Query');
    expect((query?.fields ?? []).map((field) => field.name.value).sort()).toEqual(Object.keys(ROOT_FIELD_STRATEGIES).sort());
    const mutation = objects.find((definition) => definition.name.value === 'Mutation');
    expect((mutation?.fields ?? []).map((field) => field.name.value).sort()).toEqual(Object.keys(ROOT_MUTATION_STRATEGIES).sort());
  });

  it('lets the router route every resolvable entity type by its id', () => {
    const resolvable = objects
      .filter((definition) =>
        definition.directives?.some(
          (directive) =>
            directive.name.value === 'key' &&
            !directive.arguments?.some((argument) => argument.name.value === 'resolvable' && argument.value.kind === Kind.BOOLEAN && !argument.value.value),
        ),
      )
      .map((definition) => definition.name.value);
    expect(resolvable.sort()).toEqual([...MEMBER_ENTITY_TYPES].sort());
    for (const name of resolvable) {
      const key = objects.find((definition) => definition.name.value === name)?.directives?.find((directive) => directive.name.value === 'key');
      expect(key?.arguments?.find((argument) => argument.name.value === 'fields')?.value).toMatchObject({ value: 'id' });
    }
  });

  it('declares its version in its header', () => {
    expect(readFileSync(join(SCHEMA_DIR, 'member-contract.graphql'), 'utf8')).toMatch(/^# ECIU hub member contract \d+\.\d+\.\d+$/m);
    expect(() => parse(readFileSync(join(SCHEMA_DIR, 'member-contract.graphql'), 'utf8'))).not.toThrow();
  });
});
