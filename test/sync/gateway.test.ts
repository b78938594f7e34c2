import type { MikroORM } from '@mikro-orm/core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import type { OeapiClient } from '../../subgraphs/member/oeapi/client.js';
import type { OeapiDataset } from '../../subgraphs/member/oeapi/dataset.js';
import type { OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { loadContext, startFixture } from '../oeapi/helpers.js';
import { MEMBER, runSync, syncClient, syncDataset } from './helpers.js';

/*
 * A sync writes to the member's own database beside the running member
 * (as `npm run member:sync` does next to `npm start`): the hub serves what
 * it wrote on the next request, with nothing to restart or invalidate.
 */

const OFFERING = /* GraphQL */ `
  query ($id: ID!) {
    offering(id: $id) {
      id title ects workloadHours eqfLevel mode creditBearing languages sdgs startDate endDate
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
let fixture: OeapiFixture;
let client: OeapiClient;
let dataset: OeapiDataset;

beforeAll(async () => {
  const context = loadContext();
  dataset = syncDataset(context, { courses: 6, students: 8 });
  [hub, fixture] = await Promise.all([startTestHub({ catalogueCacheMs: CATALOGUE_BOUND_MS }), startFixture(context, { dataset })]);
  // A second connection to the member's file (hub/stack.ts: <dataDir>/members/<id>.sqlite).
  orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', `${MEMBER}.sqlite`) });
  client = syncClient(context, fixture.url);
});
afterAll(async () => {
  await client?.close();
  await orm?.close(true);
  await fixture?.stop();
  await hub?.stop();
});

describe('an offering synced into a running hub', () => {
  it('is served through the gateway within the catalogue bound, with its learning outcomes, and found by search', async () => {
    const course = dataset.courses[1]!;
    const offering = dataset.courseOfferings.find((candidate) => candidate.courseId === course.courseId)!;
    const id = `${MEMBER}:${offering.courseOfferingId}`;
    expect((await hub.query(OFFERING, { id })).body.data?.['offering']).toBeNull();
    const result = await runSync(orm, 'sqlite', client);
    expect(result.status).toBe('succeeded');
    await catalogueBound();
    const { body } = await hub.query(OFFERING, { id });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['offering']).toEqual({
      id,
      title: 'Circular Construction 2',
      ects: 1.5,
      workloadHours: 42,
      eqfLevel: 7,
      mode: 'BLENDED',
      creditBearing: true,
      languages: ['en'],
      sdgs: [11],
      startDate: '2024-11-05',
      endDate: '2025-01-25',
      institution: { id: MEMBER },
      learningOutcomes: [
        { position: 1, skill: { uri: 'http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0' }, expectedProficiency: 'INTERMEDIATE' },
        { position: 2, skill: { uri: 'http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41' }, expectedProficiency: 'ADVANCED' },
      ],
    });
    const search = await hub.query(`{ offerings(filter: { text: "circular construction 2", institutionIds: ["${MEMBER}"] }) { nodes { id title } } }`);
    expect(search.body.data?.['offerings'].nodes).toContainEqual({ id, title: 'Circular Construction 2' });
  });

  it('shows a change at the source after the next run', async () => {
    const course = dataset.courses[1]!;
    fixture.touch('courses', course.courseId, (record) => void (record['name'] = [{ language: 'en-GB', value: 'Circular construction in practice' }]));
    const result = await runSync(orm, 'sqlite', client);
    expect(result).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    await catalogueBound();
    const offering = dataset.courseOfferings.find((candidate) => candidate.courseId === course.courseId)!;
    const { body } = await hub.query(`{ offering(id: "${MEMBER}:${offering.courseOfferingId}") { title } }`);
    expect(body.data?.['offering']).toEqual({ title: 'Circular construction in practice' });
  });
});
