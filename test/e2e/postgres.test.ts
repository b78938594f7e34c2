import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLIANCE_MEMBERS } from '../../hub/alliance.js';
import { generateCatalogues, generateLearner, learnerId } from '../../hub/demo.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../lib/postgres-admin.js';
import { TEST_POSTGRES_URL } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * The whole hub with every database on the real PostgreSQL server (each
 * member, ESCO and the learner register in a database of its own), answering
 * the acceptance query exactly as the SQLite default does.
 */

const LEARNERS = 60;
let hub: TestHub;
const databases = new Map<string, TemporaryDatabase>();
const catalogues = generateCatalogues();

beforeAll(async () => {
  for (const service of [...ALLIANCE_MEMBERS.map((member) => member.id), 'esco', 'learners']) {
    databases.set(service, await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_e2e'));
  }
  hub = await startTestHub({ learners: LEARNERS, databaseUrl: (service) => databases.get(service)?.url });
});
afterAll(async () => {
  await hub?.stop();
  for (const database of databases.values()) await database.drop();
});

describe('the hub on PostgreSQL', () => {
  it('serves a learner pathway across members with ESCO labels', async () => {
    const learner = generateLearner(0, catalogues);
    const { body } = await hub.query(
      /* GraphQL */ `
        query ($id: ID!) {
          learner(id: $id) { achievements { id opportunity { institution { id } learningOutcomes { skill { preferredLabel } } } } }
        }
      `,
      { id: learnerId(0) },
      await asLearner(hub.hub, learnerId(0)),
    );
    expect(body.errors).toBeUndefined();
    const expected = learner.accounts.flatMap((account) => account.enrolments.flatMap((enrolment) => (enrolment.achievement ? [enrolment.achievement.id] : [])));
    const achievements = body.data?.['learner'].achievements as { id: string; opportunity: { learningOutcomes: { skill: { preferredLabel: string } }[] } }[];
    expect(achievements.map((achievement) => achievement.id).sort()).toEqual(expected.sort());
    for (const achievement of achievements) {
      for (const outcome of achievement.opportunity.learningOutcomes) expect(outcome.skill.preferredLabel).toEqual(expect.any(String));
    }
  });

  it('orders and pages the catalogue across members exactly like the embedded default', async () => {
    const all = [...catalogues.values()].flat().filter((offering) => offering.searchText.includes('sustainab'));
    const { body } = await hub.query(`{ offerings(filter: { text: "sustainab" }, first: 100) { totalCount nodes { id title } } }`);
    expect(body.data?.['offerings'].totalCount).toBe(all.length);
    // Relevance rank, then folded title and id in byte order: the SQLite test asserts the same sequence.
    const rank = (title: string) => (title.startsWith('sustainab') ? 0 : title.includes('sustainab') ? 1 : 2);
    const expected = [...all]
      .sort((a, b) => rank(a.sortTitle) - rank(b.sortTitle) || Buffer.compare(Buffer.from(a.sortTitle), Buffer.from(b.sortTitle)) || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)))
      .map((offering) => offering.id);
    expect(body.data?.['offerings'].nodes.map((node: { id: string }) => node.id)).toEqual(expected);
  });

  it("counts uptake in SQL the way the records say, sharing grants included", async () => {
    const { body } = await hub.query(`{ institutions { id uptake { enrolments assessed passed } } }`, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(body.errors).toBeUndefined();
    const everyone = Array.from({ length: LEARNERS }, (_, i) => generateLearner(i, catalogues));
    for (const institution of body.data?.['institutions'] as { id: string; uptake: Record<string, number | null> }[]) {
      const enrolments = everyone.flatMap((person) => person.accounts).filter((account) => account.memberId === institution.id).flatMap((account) => account.enrolments);
      const achievements = enrolments.flatMap((enrolment) => (enrolment.achievement ? [enrolment.achievement] : []));
      const truth = { enrolments: enrolments.length, assessed: achievements.length, passed: achievements.filter((achievement) => achievement.passed).length };
      for (const [kind, count] of Object.entries(truth)) {
        const served = institution.uptake[kind];
        if (served !== null) expect(served, `${institution.id} ${kind}`).toBe(count);
        if (count > 0 && count < 10) expect(served).toBeNull();
      }
    }
    // A grant stored in PostgreSQL opens another member's achievements to a member's staff.
    const learner = generateLearner(0, catalogues);
    const [home, away] = learner.accounts.map((account) => account.memberId) as [string, string];
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: home });
    const before = await hub.query(`query ($id: ID!) { learner(id: $id) { achievements { id } } }`, { id: learner.id }, staff);
    const granted = await hub.query(
      `mutation ($m: ID!) { grantConsent(input: { memberId: $m, purpose: RECOGNITION, scopes: [ACHIEVEMENTS] }) { status } }`,
      { m: home },
      await asLearner(hub.hub, learner.id),
    );
    expect(granted.body.data?.['grantConsent']).toEqual({ status: 'ACTIVE' });
    const after = await hub.query(`query ($id: ID!) { learner(id: $id) { achievements { id } } }`, { id: learner.id }, staff);
    const at = (body: typeof after.body) => new Set((body.data?.['learner'].achievements as { id: string }[]).map((achievement) => achievement.id.slice(0, achievement.id.indexOf(':'))));
    expect(at(before.body).has(away)).toBe(false);
    expect(after.body.errors).toBeUndefined();
    expect(at(after.body)).toEqual(new Set(learner.accounts.filter((account) => account.enrolments.some((enrolment) => enrolment.achievement)).map((account) => account.memberId)));
  });
});
