import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { CURATED_ESCO_FOLDER } from '../../subgraphs/esco/curated.js';
import { openEscoDatabase } from '../../subgraphs/esco/database.js';
import { SkillCollection, SkillType } from '../../subgraphs/esco/enums.js';
import { importEsco, type ImportSummary } from '../../subgraphs/esco/import/importer.js';
import { createEscoLoaders } from '../../subgraphs/esco/loaders.js';
import { Occupation, Skill } from '../../subgraphs/esco/model.js';
import { findOccupationsPage, findSkillGroups, findSkillsPage, type SkillPageArgs } from '../../subgraphs/esco/queries.js';
import { DATABASE_KINDS, temporaryDatabase } from '../helpers/databases.js';
import { expectedOrder, REQUIRED_SKILL_URIS } from './helpers.js';

/** Searches run on both dialects; ranked ones include accents and LIKE wildcards, which must match literally. */
const SEARCHES: { name: string; args: Omit<SkillPageArgs, 'first' | 'after'>; atLeast: number }[] = [
  { name: 'search "sustainab"', args: { search: 'sustainab' }, atLeast: 20 },
  { name: 'search "plan"', args: { search: 'plan' }, atLeast: 10 },
  { name: 'search "urban"', args: { search: 'urban' }, atLeast: 3 },
  { name: 'search "DATA"', args: { search: 'DATA' }, atLeast: 20 },
  { name: 'search "Écolog" (accents folded)', args: { search: 'Écolog' }, atLeast: 3 },
  { name: 'search "think critically" (exact label)', args: { search: 'think critically' }, atLeast: 1 },
  { name: 'search "100%" (LIKE wildcard is literal)', args: { search: '100%' }, atLeast: 0 },
  { name: 'search "e_" (LIKE wildcard is literal)', args: { search: 'e_' }, atLeast: 0 },
  { name: 'all skills by label', args: {}, atLeast: 150 },
  { name: 'green knowledge', args: { filter: { collection: SkillCollection.GREEN, skillType: SkillType.KNOWLEDGE } }, atLeast: 10 },
  { name: 'search "research" in the research collection', args: { search: 'research', filter: { collection: SkillCollection.RESEARCH } }, atLeast: 8 },
];

/** What each dialect answered, compared at the end. */
const answers: Record<string, Record<string, unknown>> = {};

/** Every page of a skills list, `first` at a time. */
async function walkSkills(em: SqlEntityManager, kind: DatabaseKind, args: Omit<SkillPageArgs, 'first' | 'after'>, first: number) {
  const uris: string[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await findSkillsPage(em, kind, { ...args, first, after });
    totals.add(page.totalCount);
    uris.push(...page.nodes.map((node) => node.uri));
    if (!page.pageInfo.hasNextPage) return { uris, totals: [...totals] };
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe.each(DATABASE_KINDS)('ESCO data layer on %s', (kind) => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  let summary: ImportSummary;
  const answer: Record<string, unknown> = (answers[kind] = {});
  const em = () => orm.em.fork() as SqlEntityManager;

  beforeAll(async () => {
    const database = await temporaryDatabase(kind);
    drop = database.drop;
    orm = await openEscoDatabase(database.target);
    summary = await importEsco(orm, CURATED_ESCO_FOLDER);
  });

  afterAll(async () => {
    await orm?.close(true);
    await drop?.();
  });

  it('has entities and committed migrations that agree', async () => {
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });

  it('imports the curated set, and again without duplicates', async () => {
    expect(summary.skills).toBeGreaterThanOrEqual(150);
    const again = await importEsco(orm, CURATED_ESCO_FOLDER);
    const { seconds: _a, ...before } = summary;
    const { seconds: _b, ...after } = again;
    expect(after).toEqual(before);
    answer['summary'] = after;
  });

  it.each(SEARCHES)('pages through $name in the promised order', async ({ name, args, atLeast }) => {
    const all = await em().find(Skill, {});
    const walked = await walkSkills(em(), kind, args, 7);
    const whole = await walkSkills(em(), kind, args, 100);
    expect(walked.uris).toEqual(whole.uris);
    expect(walked.totals).toEqual([walked.uris.length]);
    expect(walked.uris.length).toBeGreaterThanOrEqual(atLeast);
    // The reference: the order computed in JavaScript over every skill.
    if (args.search && !args.filter) expect(walked.uris).toEqual(expectedOrder(all, args.search).map((skill) => skill.uri));
    answer[name] = walked.uris;
  });

  it('finds the required skills among the curated ones', async () => {
    const walked = await walkSkills(em(), kind, {}, 100);
    expect(walked.uris).toEqual(expect.arrayContaining(REQUIRED_SKILL_URIS));
  });

  it('searches occupations and lists the hierarchy in the same order', async () => {
    const planners = await findOccupationsPage(em(), kind, { search: 'planner', first: 100 });
    const all = await em().find(Occupation, {});
    expect(planners.nodes.map((node) => node.uri)).toEqual(expectedOrder(all, 'planner').map((occupation) => occupation.uri));
    expect(planners.nodes[0]?.preferredLabel).toBe('land planner');
    answer['occupations'] = planners.nodes.map((node) => node.uri);
    const roots = await findSkillGroups(em(), kind, true);
    expect(roots.map((group) => group.code).sort()).toEqual(['K', 'L', 'S', 'T']);
    answer['roots'] = roots.map((group) => group.uri);
    answer['groups'] = (await findSkillGroups(em(), kind, false)).map((group) => group.uri);
  });

  it('loads relations in batches, in label order', async () => {
    const loaders = createEscoLoaders(em(), kind);
    const [groups, collections, related] = await Promise.all([
      Promise.all(REQUIRED_SKILL_URIS.map((uri) => loaders.broaderGroups.load(uri))),
      Promise.all(REQUIRED_SKILL_URIS.map((uri) => loaders.collections.load(uri))),
      loaders.relatedSkills.loadMany(REQUIRED_SKILL_URIS),
    ]);
    expect(groups.every((list) => list.length > 0)).toBe(true);
    const relatedUris = related.map((list) => (list instanceof Error ? list.message : list.map((item) => [item.relationType, item.node.uri])));
    answer['relations'] = { groups: groups.map((list) => list.map((group) => group.uri)), collections, related: relatedUris };
  });
});

describe('both dialects', () => {
  it('answer every search, page and relation identically', () => {
    expect(Object.keys(answers.sqlite ?? {}).length).toBeGreaterThan(SEARCHES.length);
    expect(JSON.parse(JSON.stringify(answers.postgresql))).toEqual(JSON.parse(JSON.stringify(answers.sqlite)));
  });
});
