import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { routerResolvers } from './resolvers.js';

/** The member contract, the single source of truth for what a member serves (written by `npm run compose`). */
export const MEMBER_CONTRACT_PATH = fileURLToPath(new URL('../../schema/member-contract.graphql', import.meta.url));

/**
 * What the router adds to the contract: `Learner`, owned by the learners
 * subgraph, gains the learner's records gathered from the members that hold
 * them. `@requires` makes the gateway fetch the learner's account ids first,
 * so the router asks only those members, and what the learner's valid grants
 * share with the caller's member, which the router vouches for to each
 * member (docs/security.md, "Consent").
 */
export const ROUTER_EXTENSION = /* GraphQL */ `
  """
  An alliance learner. The member router adds the learner's records, gathered from the members that hold them.
  """
  type Learner @key(fields: "id") {
    id: ID!
    memberAccountIds: [ID!]! @external
    sharingWithCaller: [CallerSharing!]! @external
    """
    The learner's assessed achievements at every member, oldest first. Only the members holding the learner's accounts are asked, once each; if one of them fails, the others' achievements still arrive, with an error naming it. Another member's staff see a member's achievements only while the learner shares them with their member; otherwise that part is missing, with a FORBIDDEN error naming the member.
    """
    achievements(passed: Boolean): [Achievement!] @requires(fields: "memberAccountIds sharingWithCaller { scopes memberIds }")
    """
    The learner's enrolments at every member, oldest first (optionally with one status); shared like achievements.
    """
    enrolments(status: EnrolmentStatus): [Enrolment!] @requires(fields: "memberAccountIds sharingWithCaller { scopes memberIds }")
  }

  type CallerSharing @inaccessible {
    scopes: [String!]! @shareable
    memberIds: [ID!]! @shareable
  }
`;

export function readMemberContract(path = MEMBER_CONTRACT_PATH): DocumentNode {
  return parse(readFileSync(path, 'utf8'));
}

/** The contract as an executable-shape schema (no resolvers): forwarded documents are pruned to it. */
export function contractSchema(contract: DocumentNode): GraphQLSchema {
  return buildSubgraphSchema(contract);
}

/** The router's subgraph schema: the member contract, with the contract's `Learner` stub replaced by the router's extension. */
export function buildRouterSchema(contract: DocumentNode): GraphQLSchema {
  const definitions = contract.definitions.filter(
    (definition) => !(definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === 'Learner'),
  );
  const typeDefs: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...definitions, ...parse(ROUTER_EXTENSION).definitions] };
  return buildSubgraphSchema({ typeDefs, resolvers: routerResolvers() as GraphQLResolverMap<unknown> });
}
