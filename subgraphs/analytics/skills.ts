import { callService } from '../../lib/subgraph-calls.js';
import { addTwoWayTable, suppress, type SumConstraint } from '../../lib/suppression.js';
import type { AnalyticsService } from './context.js';
import { STATISTICS_READER, type PublishedSkills } from './publication.js';

/*
 * Skills gained across the alliance (docs/analytics.md, "Skills"). Members
 * count their passed assessments per ESCO skill (`memberSkillCounts`); the
 * ESCO service says which level-1 group of the skills hierarchy and which
 * collections each skill belongs to (public facts, asked for once per
 * publication in one batch); the hub publishes a member × group table and the
 * alliance's awards per skill and per collection, suppressed as one system:
 * a group's column total is the sum of its skills' awards, a collection's
 * awards the sum of its skills'.
 */

export interface SkillAwardRow {
  member: string;
  skillUri: string;
  awards: number;
}

interface SkillFacts {
  label: string | null;
  /** Level-1 group code ("S1", "T2", "06", …) and label; the first by code when the skill sits under several. */
  group: { code: string; label: string } | null;
  collections: string[];
}

const UNKNOWN = { code: 'unknown', label: 'not in the ESCO data the hub holds' };

const FACTS = /* GraphQL */ `
  query SkillFacts($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Skill { uri preferredLabel topGroups { code preferredLabel } collections } }
  }
`;

/** The ESCO facts of the skills counted; null when the ESCO service did not answer. */
async function readSkillFacts(service: AnalyticsService, uris: readonly string[]): Promise<Map<string, SkillFacts> | null> {
  const facts = new Map<string, SkillFacts>();
  if (uris.length === 0) return facts;
  try {
    const body = await callService(service.sources, 'esco', STATISTICS_READER, FACTS, { representations: uris.map((uri) => ({ __typename: 'Skill', uri })) });
    const entities = ((body.data as { _entities?: unknown[] } | null | undefined)?._entities ?? []) as ({ uri: string; preferredLabel: string; topGroups: { code: string | null; preferredLabel: string }[]; collections: string[] } | null)[];
    if (body.errors?.length && entities.length === 0) return null;
    for (const entity of entities) {
      if (!entity) continue;
      const first = entity.topGroups.find((group) => group.code);
      facts.set(entity.uri, { label: entity.preferredLabel, group: first ? { code: first.code as string, label: first.preferredLabel } : null, collections: entity.collections });
    }
    return facts;
  } catch (error) {
    service.logger.warn(`skills published without their ESCO groups: ${(error as Error).message}`);
    return null;
  }
}

export async function publishSkills(service: AnalyticsService, rows: readonly SkillAwardRow[], members: readonly string[], k: number): Promise<PublishedSkills> {
  const uris = [...new Set(rows.map((row) => row.skillUri))].sort();
  const facts = await readSkillFacts(service, uris);
  return buildSkills(rows, members, facts, k);
}

/** The tables and their suppression; `facts` null: ESCO unavailable (every skill in group "unknown"). */
export function buildSkills(rows: readonly SkillAwardRow[], members: readonly string[], facts: ReadonlyMap<string, SkillFacts> | null, k: number): PublishedSkills {
  const counted = rows.filter((row) => members.includes(row.member));
  const uris = [...new Set(counted.map((row) => row.skillUri))].sort();
  const groupOf = (uri: string) => facts?.get(uri)?.group ?? UNKNOWN;
  const groups = [...new Map(uris.map((uri) => [groupOf(uri).code, groupOf(uri).label])).entries()].sort(([a], [b]) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : a.localeCompare(b)));
  const columns = groups.map(([code]) => code);
  const collections = [...new Set(uris.flatMap((uri) => facts?.get(uri)?.collections ?? []))].sort();
  const byKey = new Map<string, number>();
  for (const row of counted) byKey.set(`${row.member} ${row.skillUri}`, (byKey.get(`${row.member} ${row.skillUri}`) ?? 0) + row.awards);
  const awards = (member: string, uri: string) => byKey.get(`${member} ${uri}`) ?? 0;
  const skillTotal = (uri: string) => members.reduce((sum, member) => sum + awards(member, uri), 0);

  const values: number[] = [];
  const constraints: SumConstraint[] = [];
  const cells = members.map((member) => columns.map((code) => uris.filter((uri) => groupOf(uri).code === code).reduce((sum, uri) => sum + awards(member, uri), 0)));
  const table = addTwoWayTable(
    { values, constraints },
    {
      cells,
      rowTotals: cells.map((row) => row.reduce((a, b) => a + b, 0)),
      columnTotals: columns.map((_, c) => cells.reduce((sum, row) => sum + (row[c] as number), 0)),
      total: cells.flat().reduce((a, b) => a + b, 0),
    },
  );
  const skillVariable = new Map(uris.map((uri) => [uri, values.push(skillTotal(uri)) - 1]));
  columns.forEach((code, c) => constraints.push({ total: table.columnTotal(c), parts: uris.filter((uri) => groupOf(uri).code === code).map((uri) => skillVariable.get(uri) as number) }));
  const collectionVariable = new Map(
    collections.map((collection) => {
      const members = uris.filter((uri) => facts?.get(uri)?.collections.includes(collection));
      const variable = values.push(members.reduce((sum, uri) => sum + skillTotal(uri), 0)) - 1;
      constraints.push({ total: variable, parts: members.map((uri) => skillVariable.get(uri) as number) });
      return [collection, variable];
    }),
  );
  const hidden = suppress(values, constraints, k).suppressed;
  const at = (variable: number) => (hidden[variable] ? null : (values[variable] as number));

  const skills = uris.map((uri) => ({ uri, label: facts?.get(uri)?.label ?? null, group: groupOf(uri).code, awards: at(skillVariable.get(uri) as number) }));
  // Published skills by awards, most first; withheld ones after, by URI (their order must not rank them).
  skills.sort((a, b) => (a.awards === null ? (b.awards === null ? a.uri.localeCompare(b.uri) : 1) : b.awards === null ? -1 : b.awards - a.awards || a.uri.localeCompare(b.uri)));
  return {
    byGroup: {
      columns,
      members: [...members],
      cells: members.map((_, r) => columns.map((_, c) => at(table.cell(r, c)))),
      memberTotals: members.map((_, r) => at(table.rowTotal(r))),
      columnTotals: columns.map((_, c) => at(table.columnTotal(c))),
      total: at(table.total),
    },
    groupLabels: groups.map(([, label]) => label),
    skills,
    collections: collections.map((collection) => ({ collection, awards: at(collectionVariable.get(collection) as number) })),
    escoUnavailable: facts === null,
  };
}
