import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { RunningServer } from '../../lib/server.js';
import { openEscoDatabase } from '../../subgraphs/esco/database.js';
import { importEsco } from '../../subgraphs/esco/import/importer.js';
import { Skill } from '../../subgraphs/esco/model.js';
import { startEscoServer } from '../../subgraphs/esco/server.js';
import { temporaryDatabase } from '../helpers/databases.js';
import { expectedOrder, expectedRank, graphql, SHARED_ESCO_FOLDER, SKILL, type Labelled } from './helpers.js';

let orm: MikroORM;
let server: RunningServer;
let drop: () => Promise<void>;
/** Every SQL statement the service runs, in order (knex "query" events). */
const statements: string[] = [];

beforeAll(async () => {
  const database = await temporaryDatabase('sqlite');
  drop = database.drop;
  orm = await openEscoDatabase(database.target);
  await importEsco(orm, SHARED_ESCO_FOLDER);
  (orm.em as SqlEntityManager).getKnex().on('query', (query: { sql: string }) => statements.push(query.sql));
  // Called directly, as an in-process test: the hub-token check is covered in test/security/hub-tokens.test.ts.
  server = await startEscoServer({ orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: null });
});

afterAll(async () => {
  await server?.stop();
  await orm?.close(true);
  await drop?.();
});

/** Runs an operation and returns its result with the SQL statements it cost. */
async function measured(query: string, variables: Record<string, unknown> = {}) {
  statements.length = 0;
  const result = await graphql(server.url, query, variables);
  return { ...result, statements: [...statements] };
}

const SKILL_FIELDS = /* GraphQL */ `uri preferredLabel altLabels description`;

interface SkillPage {
  totalCount: number;
  edges: { cursor: string; node: Labelled }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

/** Walks a skills list page by page and returns every page. */
async function allSkillPages(args: { search?: string; filter?: Record<string, unknown> }, first: number): Promise<SkillPage[]> {
  const pages: SkillPage[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await graphql<{ skills: SkillPage }>(
      server.url,
      /* GraphQL */ `query ($search: String, $filter: SkillFilter, $first: Int, $after: String) {
        skills(search: $search, filter: $filter, first: $first, after: $after) {
          totalCount edges { cursor node { ${SKILL_FIELDS} } } pageInfo { hasNextPage hasPreviousPage endCursor }
        }
      }`,
      { ...args, first, after },
    );
    expect(result.errors).toBeUndefined();
    const page = result.data?.skills as SkillPage;
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
}

describe('search', () => {
  it('ranks preferred-label matches before alternative-label matches before description matches', async () => {
    const result = await graphql<{ skills: { totalCount: number; nodes: Labelled[] } }>(
      server.url,
      /* GraphQL */ `{ skills(search: "sustainab", first: 100) { totalCount nodes { ${SKILL_FIELDS} } } }`,
    );
    expect(result.errors).toBeUndefined();
    const { nodes, totalCount } = result.data!.skills;
    expect(totalCount).toBe(nodes.length);
    const ranks = nodes.map((node) => expectedRank(node, 'sustainab'));
    expect(ranks).not.toContain(undefined);
    expect([...ranks].sort()).toEqual(ranks);
    // Label prefixes, labels containing the text, alternative labels and descriptions all occur.
    expect(new Set(ranks)).toEqual(new Set([1, 2, 3, 4]));
    // The same list, computed in JavaScript over every skill in the database.
    const everything = await orm.em.fork().find(Skill, {});
    expect(nodes.map((node) => node.uri)).toEqual(expectedOrder(everything, 'sustainab').map((skill) => skill.uri));
  });

  it('puts the exact label first, then prefixes, containing labels, alternative labels and descriptions', async () => {
    const pages = await allSkillPages({ search: 'urban sustainability' }, 100);
    const nodes = pages.flatMap((page) => page.edges.map((edge) => edge.node));
    expect(nodes[0]?.uri).toBe(`${SKILL}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0`);
    expect(nodes.map((node) => expectedRank(node, 'urban sustainability'))[0]).toBe(0);

    const urban = (await allSkillPages({ search: 'urban' }, 100)).flatMap((page) => page.edges.map((edge) => edge.node));
    const ranks = urban.map((node) => expectedRank(node, 'urban'));
    expect(ranks).toEqual([...ranks].sort());
    expect(new Set(ranks)).toEqual(new Set([1, 3, 4]));
    expect(urban[0]?.preferredLabel).toBe('urban planning law');
  });

  it('ignores case and accents', async () => {
    const plain = await graphql(server.url, /* GraphQL */ `{ skills(search: "urban planning law", first: 3) { nodes { uri } } }`);
    const shouted = await graphql(server.url, /* GraphQL */ `{ skills(search: "  ÚRBAN Planning LAW ", first: 3) { nodes { uri } } }`);
    expect(shouted.data).toEqual(plain.data);
  });

  it('filters by collection, skill type and reuse level', async () => {
    const result = await graphql(
      server.url,
      /* GraphQL */ `{ skills(filter: { collection: RESEARCH, skillType: SKILL_COMPETENCE, reuseLevel: TRANSVERSAL }, first: 100) {
        totalCount nodes { preferredLabel skillType reuseLevel collections }
      } }`,
    );
    const { totalCount, nodes } = result.data!['skills'];
    expect(totalCount).toBe(8);
    for (const node of nodes) {
      expect(node).toMatchObject({ skillType: 'SKILL_COMPETENCE', reuseLevel: 'TRANSVERSAL' });
      expect(node.collections).toContain('RESEARCH');
    }
    expect(nodes.map((node: Labelled) => node.preferredLabel)).toContain('think critically');
  });

  it('searches occupations with the same ranking', async () => {
    const result = await graphql(server.url, /* GraphQL */ `{ occupations(search: "urban planner", first: 5) { totalCount nodes { preferredLabel code iscoGroup } } }`);
    expect(result.data!['occupations'].nodes[0]).toEqual({ preferredLabel: 'urban planner', code: '2164.4', iscoGroup: '2164' });
  });
});

describe('pagination', () => {
  it.each([
    ['a ranked search', { search: 'sustainab' }, 9],
    ['a label-ordered filter', { filter: { collection: 'TRANSVERSAL' } }, 13],
  ])('walks %s page by page without gaps or duplicates', async (_name, args, first) => {
    const pages = await allSkillPages(args, first);
    const paged = pages.flatMap((page) => page.edges.map((edge) => edge.node.uri));
    const whole = (await allSkillPages(args, 100)).flatMap((page) => page.edges.map((edge) => edge.node.uri));
    expect(pages.length).toBeGreaterThan(2);
    expect(paged).toEqual(whole);
    expect(new Set(paged).size).toBe(paged.length);
    for (const page of pages) expect(page.totalCount).toBe(paged.length);
    expect(pages[0]?.pageInfo.hasPreviousPage).toBe(false);
    expect(pages[1]?.pageInfo.hasPreviousPage).toBe(true);
  });

  it('pages the skills of a group and the occupations list', async () => {
    const group = await graphql(
      server.url,
      /* GraphQL */ `{ skillGroup(uri: "http://data.europa.eu/esco/isced-f/0731") { preferredLabel skills(first: 2) { totalCount nodes { preferredLabel } pageInfo { endCursor hasNextPage } } } }`,
    );
    const { skills } = group.data!['skillGroup'];
    expect(skills.totalCount).toBeGreaterThan(2);
    const next = await graphql(
      server.url,
      /* GraphQL */ `query ($after: String) { skillGroup(uri: "http://data.europa.eu/esco/isced-f/0731") { skills(first: 100, after: $after) { nodes { preferredLabel } } } }`,
      { after: skills.pageInfo.endCursor },
    );
    expect(next.data!['skillGroup'].skills.nodes).toHaveLength(skills.totalCount - 2);
    expect(next.data!['skillGroup'].skills.nodes[0].preferredLabel > skills.nodes[1].preferredLabel).toBe(true);

    const occupations = await graphql(server.url, /* GraphQL */ `{ occupations(first: 0) { totalCount } escoDataset { version skills skillGroups occupations importedAt } }`);
    expect(occupations.data!['occupations'].totalCount).toBe(3039);
    expect(occupations.data!['escoDataset']).toMatchObject({ version: '1.2.0', skills: 2334, skillGroups: 640, occupations: 3039 });
    expect(Date.parse(occupations.data!['escoDataset'].importedAt)).not.toBeNaN();
  });
});

describe('federation', () => {
  const ENTITIES = /* GraphQL */ `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Skill { uri preferredLabel }
      ... on SkillGroup { uri preferredLabel }
      ... on Occupation { uri preferredLabel }
    }
  }`;

  async function uris(table: string, limit: number): Promise<string[]> {
    const rows = (await orm.em.fork().getConnection().execute(`select uri from ${table} order by uri limit ${limit}`)) as { uri: string }[];
    return rows.map((row) => row.uri);
  }

  it.each([
    ['Skill', 'esco_skill', 300],
    ['SkillGroup', 'esco_skill_group', 200],
    ['Occupation', 'esco_occupation', 400],
  ])('resolves a batch of %s references with one SQL query', async (typename, table, count) => {
    const known = await uris(table, count);
    const representations = [...known, 'http://data.europa.eu/esco/unknown'].map((uri) => ({ __typename: typename, uri }));
    const result = await measured(ENTITIES, { representations });
    expect(result.errors).toBeUndefined();
    const entities = result.data!['_entities'] as ({ uri: string; preferredLabel: string } | null)[];
    expect(entities.slice(0, count).map((entity) => entity?.uri)).toEqual(known);
    expect(entities.every((entity, index) => index === count || Boolean(entity?.preferredLabel))).toBe(true);
    expect(entities[count]).toBeNull();
    expect(result.statements).toHaveLength(1);
  });

  it('resolves all three entity types in one call, one query per type', async () => {
    const representations = [
      { __typename: 'Skill', uri: `${SKILL}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0` },
      { __typename: 'SkillGroup', uri: 'http://data.europa.eu/esco/isced-f/0731' },
      { __typename: 'Occupation', uri: 'http://data.europa.eu/esco/occupation/e14548c8-c2b9-4ef8-8670-d5967d7ad804' },
    ];
    const result = await measured(ENTITIES, { representations });
    expect(result.data!['_entities'].map((entity: { preferredLabel: string }) => entity.preferredLabel)).toEqual([
      'urban sustainability',
      'architecture and town planning',
      'urban planner',
    ]);
    expect(result.statements).toHaveLength(3);
  });

  it('loads nested lists of a whole page with one query per field', async () => {
    const result = await measured(/* GraphQL */ `{
      skills(filter: { collection: GREEN }, first: 100) {
        nodes { uri groups { code } broaderSkills { uri } narrowerSkills { uri } relatedSkills { relationType skill { uri } } collections occupations { uri } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    // count + rows + one batch each for groups, broader, narrower, related, collections, occupations.
    expect(result.statements).toHaveLength(8);
    const nodes = result.data!['skills'].nodes as { groups: unknown[]; collections: string[] }[];
    expect(nodes.every((node) => node.collections.includes('GREEN'))).toBe(true);
    expect(nodes.some((node) => node.groups.length > 0)).toBe(true);
  });

  it('serves the hierarchy from the roots down', async () => {
    const result = await graphql(server.url, /* GraphQL */ `{ skillGroups { code narrower { code broader { code } } } }`);
    const roots = result.data!['skillGroups'] as { code: string; narrower: { code: string; broader: { code: string }[] }[] }[];
    expect(roots.map((root) => root.code).sort()).toEqual(['K', 'L', 'S', 'T']);
    const transversal = roots.find((root) => root.code === 'T');
    expect(transversal?.narrower.map((group) => group.code).sort()).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6']);
    expect(transversal?.narrower.every((group) => group.broader.some((parent) => parent.code === 'T'))).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['a one-character search', '{ skills(search: "u") { totalCount } }', 'search', /"search" must be 2 to 200 characters/],
    ['an over-long search', `{ occupations(search: "${'x'.repeat(201)}") { totalCount } }`, 'search', /"search" must be 2 to 200 characters/],
    ['a malformed cursor', '{ skills(after: "not a cursor!") { totalCount } }', 'after', /cursor in "after" is not valid/],
    ['first over 100', '{ skills(first: 101) { totalCount } }', 'first', /"first" must be an integer from 0 to 100/],
    ['a negative first', '{ occupations(first: -1) { totalCount } }', 'first', /"first" must be an integer from 0 to 100/],
    ['a URI that is not one', '{ skill(uri: "urban planning law") { uri } }', 'uri', /"uri" must be an http\(s\) URI/],
  ])('rejects %s with BAD_USER_INPUT naming the argument', async (_name, query, argument, message) => {
    const result = await graphql(server.url, query);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    expect(error?.message).toMatch(message);
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(JSON.stringify(result)).not.toMatch(/stacktrace|\.ts:\d+/);
  });

  it('refuses a cursor from another list', async () => {
    const occupations = await graphql(server.url, '{ occupations(first: 1) { pageInfo { endCursor } } }');
    const cursor = occupations.data!['occupations'].pageInfo.endCursor as string;
    const skills = await graphql(server.url, 'query ($after: String) { skills(after: $after) { totalCount } }', { after: cursor });
    expect(skills.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
    const ranked = await graphql(server.url, 'query ($after: String) { skills(search: "urban", after: $after) { totalCount } }', {
      after: Buffer.from(JSON.stringify(['SKILL_RELEVANCE', 'x', 'urban', 'http://x'])).toString('base64url'),
    });
    expect(ranked.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('answers null for an unknown URI', async () => {
    const result = await graphql(server.url, '{ skill(uri: "http://data.europa.eu/esco/skill/unknown") { uri } occupation(uri: "https://example.org/x") { uri } }');
    expect(result).toEqual({ data: { skill: null, occupation: null } });
  });
});
