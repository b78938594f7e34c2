import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  findBreakingChanges,
  findDangerousChanges,
  Kind,
  parse,
  print,
  type DocumentNode,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { postGraphQL, ServiceCallError, type HttpClient } from '../../lib/http-client.js';
import { parseGlobalId } from '../../lib/ids.js';
import { parseCursor } from '../../lib/pagination.js';

export interface ContractReport {
  /** What makes the endpoint unusable by the hub: each is a line for a human. */
  problems: string[];
  /** What works today but may surprise (e.g. a new optional argument). */
  warnings: string[];
  memberId?: string;
  version?: string;
}

/** The contract version a document declares in its header comment. */
export function contractVersionOf(contractText: string): string | undefined {
  return /member contract (\d+\.\d+\.\d+)/.exec(contractText)?.[1];
}

function keysByType(document: DocumentNode): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const values = (definition as ObjectTypeDefinitionNode).directives
      ?.filter((directive) => directive.name.value === 'key')
      .map((directive) => print(directive).replace(/\s+/g, ' '));
    if (values?.length) keys.set(definition.name.value, values.sort());
  }
  return keys;
}

const IGNORED_TYPES = new Set(['_Service', '_Entity', '_Any', 'link__Import', 'link__Purpose', 'FieldSet', 'federation__FieldSet', 'federation__Scope', 'federation__Policy']);

function schemaOf(document: DocumentNode): GraphQLSchema {
  return buildSubgraphSchema(document);
}

/**
 * Checks a running member endpoint against the member contract: its schema
 * (nothing missing or changed incompatibly, same entity keys), its contract
 * version (same major, same or newer minor) and the conventions routing
 * relies on (one institution, ids prefixed with the member id, keyset cursors).
 */
export async function checkMemberEndpoint(
  client: HttpClient,
  url: string,
  contractText: string,
  options: { timeoutMs?: number; authorization?: () => Promise<string> } = {},
): Promise<ContractReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const report: ContractReport = { problems: [], warnings: [] };
  const ask = async (query: string) => {
    try {
      // A fresh hub token per request: members refuse a token they have seen before.
      const headers: Record<string, string> = options.authorization ? { authorization: await options.authorization() } : {};
      return await postGraphQL(client, url, { query }, { timeoutMs, headers });
    } catch (error) {
      if (error instanceof ServiceCallError) throw new Error(`The endpoint ${error.reason}.`);
      throw error;
    }
  };

  const service = await ask('{ _service { sdl } }');
  if (service.errors?.some((error) => error.extensions?.['code'] === 'UNAUTHENTICATED')) {
    throw new Error('The endpoint refused the request (HTTP 401): pass --member and --hub-keys so the check can sign as the hub.');
  }
  const sdl = (service.data?.['_service'] as { sdl?: string } | undefined)?.sdl;
  if (!sdl) {
    report.problems.push('The endpoint does not answer `_service { sdl }`: it is not a Federation subgraph.');
    return report;
  }
  let endpointDocument: DocumentNode;
  let endpointSchema: GraphQLSchema;
  const contractDocument = parse(contractText);
  try {
    endpointDocument = parse(sdl);
    endpointSchema = schemaOf(endpointDocument);
  } catch (error) {
    report.problems.push(`The endpoint's schema cannot be read: ${(error as Error).message}`);
    return report;
  }
  const contractSchema = schemaOf(contractDocument);
  for (const change of findBreakingChanges(contractSchema, endpointSchema)) {
    const typeName = change.description.split('.')[0] ?? '';
    if (!IGNORED_TYPES.has(typeName)) report.problems.push(`${change.type}: ${change.description}`);
  }
  for (const change of findDangerousChanges(contractSchema, endpointSchema)) {
    // The router cannot return an enum value it does not know: such a member's answers would be dropped.
    if (change.type === 'VALUE_ADDED_TO_ENUM') report.problems.push(`${change.type}: ${change.description} The hub drops answers holding values it does not know; upgrade the router first.`);
    else report.warnings.push(`${change.type}: ${change.description}`);
  }
  const endpointKeys = keysByType(endpointDocument);
  for (const [typeName, keys] of keysByType(contractDocument)) {
    const actual = endpointKeys.get(typeName) ?? [];
    if (keys.join() !== actual.join()) {
      report.problems.push(`Entity key mismatch on ${typeName}: the contract has ${keys.join(', ')}, the endpoint ${actual.join(', ') || 'none'}.`);
    }
  }

  const expectedVersion = contractVersionOf(contractText);
  const versionAnswer = await ask('{ memberContractVersion }');
  const version = versionAnswer.data?.['memberContractVersion'];
  if (typeof version !== 'string') {
    report.problems.push('`memberContractVersion` did not answer with a version string.');
  } else {
    report.version = version;
    const [major, minor] = version.split('.').map(Number);
    const [wantMajor, wantMinor] = (expectedVersion ?? '0.0.0').split('.').map(Number);
    if (major !== wantMajor || (minor ?? 0) < (wantMinor ?? 0)) {
      report.problems.push(`Contract version ${version} is not compatible with ${expectedVersion} (same major, same or newer minor needed).`);
    }
  }
  if (report.problems.length > 0) return report;

  // Conventions the router depends on, checked on live data.
  const probe = await ask('{ institutions { id } offerings(first: 5) { totalCount edges { cursor node { id } } } }');
  const institutions = (probe.data?.['institutions'] as { id: string }[] | undefined) ?? [];
  if (probe.errors?.length) report.problems.push(`The endpoint answered a basic query with errors: ${probe.errors.map((error) => error.message).join('; ')}`);
  if (institutions.length !== 1) {
    report.problems.push(`\`institutions\` must return exactly the member itself; it returned ${institutions.length} institution(s).`);
    return report;
  }
  const memberId = (institutions[0] as { id: string }).id;
  report.memberId = memberId;
  const edges = ((probe.data?.['offerings'] as { edges?: { cursor: string; node: { id: string } }[] } | undefined)?.edges) ?? [];
  for (const edge of edges) {
    if (parseGlobalId(edge.node.id)?.memberId !== memberId) {
      report.problems.push(`Offering id "${edge.node.id}" does not start with the member id "${memberId}:".`);
    }
    if (!parseCursor(edge.cursor)) report.problems.push(`The cursor of offering "${edge.node.id}" is not a hub keyset cursor.`);
  }
  if (edges.length === 0) report.warnings.push('The member lists no offerings yet; id and cursor conventions were not checked.');
  return report;
}
