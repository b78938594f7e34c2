import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareBytes } from '../../lib/pagination.js';
import { foldText } from '../../lib/text.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The official ESCO v1.2.0 CSV files shared with this repository (../shared/esco). */
export const SHARED_ESCO_FOLDER = join(repoRoot, '..', 'shared', 'esco');

export const SKILL = 'http://data.europa.eu/esco/skill/';

/** The eleven SDG 11 skills the curated set must contain (DOMAIN.md). */
export const REQUIRED_SKILL_URIS = [
  '7dd94ad3-13d6-43fe-8b94-51fcbf67ced9',
  '60c78287-22eb-4103-9c8c-28deaa460da0',
  'c624c6a3-b0ba-4a31-a296-0d433fe47e41',
  'adc6dc11-3376-467b-96c5-9b0a21edc869',
  '538f8bc6-a5bf-422b-8112-5ad3fe9de9a0',
  '1f632076-fd9b-4b18-a9a2-b59a59181d3e',
  'dda745dd-b8d6-45d8-8c74-e05495ce90f5',
  '469e19ed-a0bd-445a-ae2d-4ba9430e296b',
  '3edfa33c-c644-4a9a-acd1-e82039daa663',
  '5368a46a-54b5-4874-a06f-964d557c1cfb',
  '22c45bf7-e52b-475f-847b-c32a87f65a5d',
].map((id) => SKILL + id);

export interface Labelled {
  uri: string;
  preferredLabel: string;
  altLabels: string[];
  description?: string | null;
}

/**
 * The relevance rank the service promises, computed independently in
 * JavaScript: 0 equal label, 1 label prefix, 2 label contains, 3 an
 * alternative label contains, 4 description contains; undefined = no match.
 */
export function expectedRank(item: Labelled, search: string): number | undefined {
  const text = foldText(search);
  const label = foldText(item.preferredLabel);
  if (label === text) return 0;
  if (label.startsWith(text)) return 1;
  if (label.includes(text)) return 2;
  if (item.altLabels.some((alt) => foldText(alt).includes(text))) return 3;
  if (foldText(item.description ?? '').includes(text)) return 4;
  return undefined;
}

/** Orders items as the service must: rank, then folded label, then URI, byte-wise. */
export function expectedOrder<T extends Labelled>(items: T[], search: string): T[] {
  return items
    .map((item) => ({ item, rank: expectedRank(item, search) }))
    .filter((entry): entry is { item: T; rank: number } => entry.rank !== undefined)
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        compareBytes(foldText(a.item.preferredLabel), foldText(b.item.preferredLabel)) ||
        compareBytes(a.item.uri, b.item.uri),
    )
    .map((entry) => entry.item);
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** POSTs a GraphQL operation to a running server. */
export async function graphql<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}
