import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH } from '../../lib/loaders.js';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { RunningServer } from '../../lib/server.js';
import { openEscoDatabase } from '../../subgraphs/esco/database.js';
import { importEsco } from '../../subgraphs/esco/import/importer.js';
import { startEscoServer } from '../../subgraphs/esco/server.js';
import { DATABASE_KINDS, temporaryDatabase } from '../helpers/databases.js';
import { graphql, SHARED_ESCO_FOLDER, SKILL } from './helpers.js';

/*
 * Skill.topGroups over the real ESCO v1.2 files in ../shared/esco. The
 * expected answers come from the CSV files themselves, read here without the
 * importer or the service: the level-1 groups are the "Level 1 URI" values of
 * skillsHierarchy_en.csv, the edges are broaderRelationsSkillPillar_en.csv.
 */

type CsvRecord = Record<string, string | undefined>;

function readCsv(file: string): CsvRecord[] {
  return parse(readFileSync(join(SHARED_ESCO_FOLDER, file)), { bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }) as CsvRecord[];
}

/** Level-1 group URI → its code, from the hierarchy file. */
const LEVEL_ONE = new Map<string, string>();
for (const row of readCsv('skillsHierarchy_en.csv')) {
  const uri = row['Level 1 URI'];
  const code = row['Level 1 code'];
  if (uri && code) LEVEL_ONE.set(uri, code);
}

/** Narrower URI → broader URIs, from the skills-pillar relations file. */
const BROADER = new Map<string, string[]>();
for (const row of readCsv('broaderRelationsSkillPillar_en.csv')) {
  const narrower = row['conceptUri'];
  const broader = row['broaderUri'];
  if (!narrower || !broader) continue;
  BROADER.set(narrower, [...(BROADER.get(narrower) ?? []), broader]);
}

/** The level-1 codes above a concept, found by a plain depth-first walk of the CSV relations. */
function expectedCodes(uri: string): string[] {
  const codes = new Set<string>();
  const seen = new Set<string>([uri]);
  const stack = [uri];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const broader of BROADER.get(node) ?? []) {
      if (seen.has(broader)) continue;
      seen.add(broader);
      const code = LEVEL_ONE.get(broader);
      if (code) codes.add(code);
      else stack.push(broader);
    }
  }
  return [...codes].sort();
}

/**
 * The SQL queries a level-by-level walk from all `uris` at once must cost: one
 * per level of concepts still to climb from (one per MAX_BATCH of them), each
 * concept climbed from once, none from a level-1 group.
 */
function expectedWalkQueries(uris: string[]): { levels: number; queries: number } {
  const seen = new Set(uris);
  let frontier = [...uris];
  let levels = 0;
  let queries = 0;
  while (frontier.length > 0) {
    levels += 1;
    queries += Math.ceil(frontier.length / MAX_BATCH);
    const next: string[] = [];
    for (const node of frontier) {
      for (const broader of BROADER.get(node) ?? []) {
        if (LEVEL_ONE.has(broader) || seen.has(broader)) continue;
        seen.add(broader);
        next.push(broader);
      }
    }
    frontier = next;
  }
  return { levels, queries };
}

/** Concepts that exist only in this test: ESCO itself has no group-less skill and no cycle. */
const TEST = 'https://example.org/esco-test/skill/';
const LONELY = `${TEST}lonely`;
const CYCLE_A = `${TEST}cycle-a`;
const CYCLE_B = `${TEST}cycle-b`;
const LOOP_A = `${TEST}loop-a`;
const LOOP_B = `${TEST}loop-b`;
/** "promoting products, services, or programs" (S1.6.2). */
const GROUP_S1_6_2 = `${SKILL}efb60300-0d55-4b2c-8038-8409587a4727`;

interface TopGroup {
  uri: string;
  code: string | null;
  preferredLabel: string;
}

const TOP_GROUPS = /* GraphQL */ `query ($uri: ID!) { skill(uri: $uri) { preferredLabel topGroups { uri code preferredLabel } } }`;

const ENTITIES = /* GraphQL */ `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Skill { uri topGroups { uri code } } }
}`;

describe.each(DATABASE_KINDS)('Skill.topGroups on %s', (kind) => {
  let orm: MikroORM;
  let server: RunningServer;
  let drop: () => Promise<void>;
  /** Every SQL statement the service runs (knex "query" events). */
  const statements: string[] = [];

  beforeAll(async () => {
    const database = await temporaryDatabase(kind);
    drop = database.drop;
    orm = await openEscoDatabase(database.target);
    await importEsco(orm, SHARED_ESCO_FOLDER);
    const knex = (orm.em.fork() as SqlEntityManager).getKnex();
    const skill = (uri: string, label: string) => ({
      uri,
      preferred_label: label,
      alt_label_text: '',
      sort_label: label,
      search_alt_labels: '',
      search_description: '',
    });
    await knex('esco_skill').insert([
      skill(LONELY, 'test skill under no group'),
      skill(CYCLE_A, 'test cycle a'),
      skill(CYCLE_B, 'test cycle b'),
      skill(LOOP_A, 'test loop a'),
      skill(LOOP_B, 'test loop b'),
    ]);
    // a ⇄ b with b under S1.6.2; loop-a ⇄ loop-b under nothing: the walk must end on both.
    await knex('esco_broader_relation').insert([
      { narrower_uri: CYCLE_A, broader_uri: CYCLE_B },
      { narrower_uri: CYCLE_B, broader_uri: CYCLE_A },
      { narrower_uri: CYCLE_B, broader_uri: GROUP_S1_6_2 },
      { narrower_uri: LOOP_A, broader_uri: LOOP_B },
      { narrower_uri: LOOP_B, broader_uri: LOOP_A },
    ]);
    (orm.em as SqlEntityManager).getKnex().on('query', (query: { sql: string }) => statements.push(query.sql));
    // Called directly, as an in-process test: the hub-token check is covered in test/security/hub-tokens.test.ts.
    server = await startEscoServer({ orm, databaseKind: kind, logger: quietLogger(), hubAuth: null });
  });

  afterAll(async () => {
    await server?.stop();
    await orm?.close(true);
    await drop?.();
  });

  async function topGroups(uri: string): Promise<{ preferredLabel: string; topGroups: TopGroup[] } | null> {
    const result = await graphql(server.url, TOP_GROUPS, { uri });
    expect(result.errors).toBeUndefined();
    return result.data!['skill'];
  }

  it('climbs skill → group → group → level 1 for a skill (promote sustainability: S1.6.2 → S1.6 → S1)', async () => {
    const skill = await topGroups(`${SKILL}469e19ed-a0bd-445a-ae2d-4ba9430e296b`);
    expect(skill?.preferredLabel).toBe('promote sustainability');
    expect(skill?.topGroups).toEqual([
      { uri: `${SKILL}dc06de9f-dd3a-4f28-b58f-b01b5ae72ab8`, code: 'S1', preferredLabel: 'communication, collaboration and creativity' },
    ]);
  });

  it('climbs skill → skill → skill → ISCED-F fields for knowledge (urban sustainability: 04 via urban planning law, 07 via 0731)', async () => {
    const skill = await topGroups(`${SKILL}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0`);
    expect(skill?.preferredLabel).toBe('urban sustainability');
    expect(skill?.topGroups).toEqual([
      { uri: 'http://data.europa.eu/esco/isced-f/04', code: '04', preferredLabel: 'business, administration and law' },
      { uri: 'http://data.europa.eu/esco/isced-f/07', code: '07', preferredLabel: 'engineering, manufacturing and construction' },
    ]);
  });

  it('climbs through a broader skill the import holds no label for (measure trees: S2 by its group, T6 by that skill)', async () => {
    // ab75d510… is in the pillar relations but in none of the shared collection files, so the service does not hold it.
    expect((await topGroups(`${SKILL}ab75d510-ac75-482d-b671-bb3bad741f07`))).toBeNull();
    const skill = await topGroups(`${SKILL}032867c3-3c53-42ad-aabe-030eeb6292ab`);
    expect(skill?.preferredLabel).toBe('measure trees');
    expect(skill?.topGroups.map((group) => group.code)).toEqual(['S2', 'T6']);
  });

  it('gives [] for a skill under no group, and ends on cycles', async () => {
    expect((await topGroups(LONELY))?.topGroups).toEqual([]);
    expect((await topGroups(LOOP_A))?.topGroups).toEqual([]);
    expect((await topGroups(CYCLE_A))?.topGroups.map((group) => group.code)).toEqual(['S1']);
    expect((await topGroups(CYCLE_B))?.topGroups.map((group) => group.code)).toEqual(['S1']);
  });

  it('answers 300 skills through _entities with one query per hierarchy level, matching the CSV files', async () => {
    const rows = (await orm.em
      .fork()
      .getConnection()
      .execute(`select uri from esco_skill where uri like 'http://data.europa.eu/esco/skill/%' order by uri limit 300`)) as { uri: string }[];
    const uris = rows.map((row) => row.uri);
    expect(uris).toHaveLength(300);
    const representations = [...uris, LONELY, CYCLE_A].map((uri) => ({ __typename: 'Skill', uri }));

    statements.length = 0;
    const result = await graphql(server.url, ENTITIES, { representations });
    const issued = [...statements];
    expect(result.errors).toBeUndefined();

    const entities = result.data!['_entities'] as { uri: string; topGroups: TopGroup[] }[];
    expect(entities.map((entity) => entity.uri)).toEqual([...uris, LONELY, CYCLE_A]);
    for (const entity of entities.slice(0, uris.length)) {
      expect(entity.topGroups.map((group) => group.code), entity.uri).toEqual(expectedCodes(entity.uri));
    }
    expect(entities.slice(uris.length).map((entity) => entity.topGroups.map((group) => group.code))).toEqual([[], ['S1']]);
    // The batch reaches more than one level-1 group and some skills under several.
    expect(new Set(entities.flatMap((entity) => entity.topGroups.map((group) => group.code))).size).toBeGreaterThan(5);
    expect(entities.some((entity) => entity.topGroups.length > 1)).toBe(true);

    // One query for the 302 references, then the walk: one query per level, not per skill.
    const walk = expectedWalkQueries(uris);
    expect(walk.levels).toBeLessThanOrEqual(10);
    expect(issued).toHaveLength(1 + walk.queries);
    expect(issued.slice(1).every((sql) => sql.includes('esco_broader_relation'))).toBe(true);
  });
});
