import type { MikroORM } from '@mikro-orm/core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { importMemberFiles } from '../../subgraphs/member/import/importer.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { exampleFiles, folderWith, NOW } from './helpers.js';

/*
 * An import is the member's own write to its own database: the running hub
 * serves what it wrote on the next request, with nothing to restart or
 * invalidate.
 */

const OFFERING = /* GraphQL */ `
  query ($id: ID!) {
    offering(id: $id) {
      id title ects workloadHours eqfLevel creditBearing languages sdgs
      institution { id }
      learningOutcomes { position skill { uri } expectedProficiency }
    }
  }
`;

/**
 * The router keeps members' public catalogue answers for CATALOGUE_CACHE_SECONDS (subgraphs/members/public-cache.ts):
 * a change written at the member itself, as an import or a sync writes it, is served through the gateway within that
 * bound. Here the bound is short, and each check waits it out once.
 */
const CATALOGUE_BOUND_MS = 300;
const catalogueBound = () => new Promise((resolve) => setTimeout(resolve, CATALOGUE_BOUND_MS + 50));

let hub: TestHub;
let orm: MikroORM;

beforeAll(async () => {
  hub = await startTestHub({ catalogueCacheMs: CATALOGUE_BOUND_MS });
  // A second connection to the member's file, as `npm run member:import` opens it beside the running member.
  orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', 'tuni.fi.sqlite') });
});
afterAll(async () => {
  await orm?.close(true);
  await hub?.stop();
});

describe('an offering imported into a running hub', () => {
  const files = exampleFiles();
  const catalogue = { 'offerings.csv': files['offerings.csv'] as string, 'learning-outcomes.csv': files['learning-outcomes.csv'] as string };

  it('is served through the gateway within the catalogue bound, with its outcomes', async () => {
    const before = await hub.query(OFFERING, { id: 'tuni.fi:ex-mm-1' });
    expect(before.body.data?.['offering']).toBeNull();
    const report = await importMemberFiles(orm, { memberId: 'tuni.fi', folder: folderWith(catalogue), now: NOW });
    expect(report.ok).toBe(true);
    await catalogueBound();
    const { body } = await hub.query(OFFERING, { id: 'tuni.fi:ex-mm-1' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['offering']).toEqual({
      id: 'tuni.fi:ex-mm-1',
      title: 'Urban data for sustainable cities',
      ects: 2,
      workloadHours: 54,
      eqfLevel: 6,
      creditBearing: true,
      languages: ['en'],
      sdgs: [11, 13],
      institution: { id: 'tuni.fi' },
      learningOutcomes: [
        { position: 1, skill: { uri: 'http://data.europa.eu/esco/skill/2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f' }, expectedProficiency: 'INTERMEDIATE' },
        { position: 2, skill: { uri: 'http://data.europa.eu/esco/skill/c3e36d05-8ae8-447f-bb2b-6f9409f85389' }, expectedProficiency: 'INTERMEDIATE' },
        { position: 3, skill: { uri: 'http://data.europa.eu/esco/skill/3edfa33c-c644-4a9a-acd1-e82039daa663' }, expectedProficiency: 'FOUNDATION' },
      ],
    });
    const search = await hub.query(`{ offerings(filter: { text: "open city data", institutionIds: ["tuni.fi"] }) { nodes { id } } }`);
    expect(search.body.data?.['offerings'].nodes).toEqual([{ id: 'tuni.fi:ex-mm-1' }]);
  });

  it('shows a changed row within the catalogue bound', async () => {
    const changed = { ...catalogue, 'offerings.csv': catalogue['offerings.csv'].replace('Urban data for sustainable cities', 'Urban data for liveable cities') };
    const report = await importMemberFiles(orm, { memberId: 'tuni.fi', folder: folderWith(changed), now: NOW });
    expect(report.files.map((file) => [file.file, file.updated, file.unchanged])).toEqual([['offerings.csv', 1, 1], ['learning-outcomes.csv', 0, 5]]);
    await catalogueBound();
    const { body } = await hub.query(`{ offering(id: "tuni.fi:ex-mm-1") { title } }`);
    expect(body.data?.['offering']).toEqual({ title: 'Urban data for liveable cities' });
  });
});
