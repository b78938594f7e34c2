import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLIANCE_MEMBERS } from '../../hub/alliance.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { createCatalogueCache } from '../../subgraphs/members/public-cache.js';
import { contractSchema, readMemberContract } from '../../subgraphs/members/schema.js';
import { catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * The public catalogue cached at the member router (issue 16, point 3): the
 * members' answers to catalogue reads are kept for a bound and shared by every
 * caller; answers that depend on the caller never are; a change through the
 * graph shows at once, one at the member itself within the bound.
 */

const TTL_MS = 600;
const SEARCH = /* GraphQL */ `query ($text: String!) { offerings(filter: { text: $text }, first: 20) { totalCount nodes { id title institution { id name } } } }`;

describe('which forwarded queries the router may keep', () => {
  const cache = createCatalogueCache(contractSchema(readMemberContract()));
  it.each([
    ['the catalogue search', `query HubForward($t: String) { offerings(filter: { text: $t }) { totalCount edges { cursor } nodes { id title learningOutcomes { skill { uri } } institution { id name } } pageInfo { hasNextPage } } }`],
    ['the members', `query HubForward { institutions { id name country accreditationAuthority } }`],
    ['an offering by id, through a fragment', `query HubForward { offering(id: "tuni.fi:mm-1") { ...o } } fragment o on LearningOpportunity { id title ects }`],
    ['entity fetches of offerings', `query HubForward($r: [_Any!]!) { _entities(representations: $r) { ... on LearningOpportunity { id title } } }`],
  ])('keeps %s', (_name, query) => expect(cache.cacheable(query)).toBe(true));

  it.each([
    ['learner accounts', `query HubForward { learnerAccounts { nodes { id } } }`],
    ["an offering's results", `query HubForward { offering(id: "tuni.fi:mm-1") { id achievements { totalCount } } }`],
    ["an offering's uptake (counts for analysts and staff)", `query HubForward { offerings { nodes { id uptake { enrolments } } } }`],
    ["a member's enrolments inside the member list", `query HubForward { institutions { id enrolments { totalCount } } }`],
    ['the same through a fragment', `query HubForward { institutions { ...i } } fragment i on Institution { enrolments { totalCount } }`],
    ['learner entities', `query HubForward($r: [_Any!]!) { _entities(representations: $r) { ... on LearnerAccount { id } } }`],
    ['the counts for the analytics service', `query HubForward { memberStatistics(groupBy: []) { enrolments } }`],
    ['a mutation', `mutation HubForward { withdrawOffering(id: "tuni.fi:mm-1", reason: "x") { changed } }`],
    ['an unreadable document', `query HubForward { offerings {`],
  ])('never keeps %s', (_name, query) => expect(cache.cacheable(query)).toBe(false));
});

describe('the catalogue cache through the gateway', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ catalogueCacheMs: TTL_MS });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
  });
  const membersAsked = () => new Set(hub.requests.map((request) => request.member));

  it('asks every member once for the same public read, then answers from the kept answers', async () => {
    hub.resetRequests();
    const first = await hub.query(SEARCH, { text: 'sustainab' });
    expect(first.body.errors).toBeUndefined();
    expect(membersAsked().size).toBe(ALLIANCE_MEMBERS.length);
    hub.resetRequests();
    const again = await hub.query(SEARCH, { text: 'sustainab' });
    expect(again.body).toEqual(first.body);
    expect(hub.requests).toEqual([]);
    // Another search is another answer: asked.
    await hub.query(SEARCH, { text: 'data' });
    expect(membersAsked().size).toBe(ALLIANCE_MEMBERS.length);
    hub.resetRequests();
    await hub.query(`{ institutions { id name } }`);
    await hub.query(`{ institutions { id name } }`);
    expect(hub.requests.length).toBe(ALLIANCE_MEMBERS.length);
    expect(hub.hub.catalogue.stats().hits).toBeGreaterThanOrEqual(2 * ALLIANCE_MEMBERS.length);
  });

  it("never keeps what depends on the caller: a learner's achievements are asked every time, and staff counts too", async () => {
    const learner = everyone.find((candidate) => candidate.accounts.filter((account) => account.enrolments.some((enrolment) => enrolment.achievement)).length >= 2) as (typeof everyone)[number];
    const query = `query ($id: ID!) { learner(id: $id) { achievements { id opportunity { id title } } } }`;
    const headers = await asLearner(hub.hub, learner.id);
    hub.resetRequests();
    await hub.query(query, { id: learner.id }, headers);
    const firstCalls = hub.requests.length;
    expect(firstCalls).toBeGreaterThan(0);
    hub.resetRequests();
    await hub.query(query, { id: learner.id }, headers);
    expect(hub.requests.length).toBe(firstCalls);
    // Another learner asking the same gets their own answer (nothing of the first is shared).
    const other = everyone.find((candidate) => candidate.id !== learner.id && candidate.accounts.length > 0) as (typeof everyone)[number];
    const theirs = await hub.query(query, { id: other.id }, await asLearner(hub.hub, other.id));
    const ids = (theirs.body.data?.['learner']?.achievements ?? []).map((achievement: { id: string }) => achievement.id);
    const firstIds = new Set(learner.accounts.flatMap((account) => account.enrolments.map((enrolment) => enrolment.achievement?.id).filter(Boolean)));
    expect(ids.some((id: string) => firstIds.has(id))).toBe(false);
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi', subject: 'registrar@tuni.fi' });
    hub.resetRequests();
    const counted = await hub.query(`{ institution(id: "tuni.fi") { uptake { enrolments } } }`, {}, staff);
    expect(counted.body.errors).toBeUndefined();
    await hub.query(`{ institution(id: "tuni.fi") { uptake { enrolments } } }`, {}, staff);
    expect(hub.requests.filter((request) => request.member === 'tuni.fi').length).toBe(2);
  });

  it('shows a change made through the graph at once: a withdrawn offering leaves the kept search', async () => {
    const offering = (catalogues.get('tuni.fi') ?? [])[0] as { id: string; title: string };
    const text = offering.title.slice(0, 12);
    const listed = async () => ((await hub.query(SEARCH, { text })).body.data?.['offerings'].nodes as { id: string }[]).map((node) => node.id);
    expect(await listed()).toContain(offering.id);
    hub.resetRequests();
    expect(await listed()).toContain(offering.id);
    expect(hub.requests).toEqual([]);
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi', subject: 'registrar@tuni.fi' });
    const withdrawn = await hub.query(`mutation ($id: ID!) { withdrawOffering(id: $id, reason: "Cancelled for the cache test.") { changed } }`, { id: offering.id }, staff);
    expect(withdrawn.body.data?.['withdrawOffering']).toEqual({ changed: true });
    expect(await listed()).not.toContain(offering.id);
  });

  it('shows a change made at the member itself (a sync, an import) within the bound', async () => {
    const offering = (catalogues.get('dcu.ie') ?? [])[1] as { id: string; title: string };
    const text = offering.title.slice(0, 12);
    const titleNow = async () => ((await hub.query(SEARCH, { text })).body.data?.['offerings'].nodes as { id: string; title: string }[]).find((node) => node.id === offering.id)?.title;
    expect(await titleNow()).toBe(offering.title);
    const orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', 'dcu.ie.sqlite') }, { migrate: false });
    try {
      await (orm.em as SqlEntityManager).getKnex()('learning_opportunity').where({ id: offering.id }).update({ title: `${offering.title} (renamed)` });
    } finally {
      await orm.close();
    }
    const changed = performance.now();
    let seen = await titleNow();
    while (seen === offering.title && performance.now() - changed < 5 * TTL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await titleNow();
    }
    expect(seen).toBe(`${offering.title} (renamed)`);
    expect(performance.now() - changed).toBeLessThan(TTL_MS + 400);
  });

  it("serves a member's kept answer while it is fresh when the member is down, then leaves the member out with an error naming it", async () => {
    await hub.query(`{ institutions { id name } }`);
    const down = 'uis.no';
    await hub.hub.members.get(down)?.stop();
    try {
      const fresh = await hub.query(`{ institutions { id name } }`);
      expect((fresh.body.data?.['institutions'] as { id: string }[]).map((member) => member.id)).toContain(down);
      await new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));
      const later = await hub.query(`{ institutions { id name } }`);
      expect((later.body.data?.['institutions'] as { id: string }[]).map((member) => member.id)).not.toContain(down);
      expect(later.body.errors?.map((error) => error.extensions?.['member'])).toEqual([down]);
    } finally {
      await hub.hub.members.get(down)?.restart();
    }
  });
});
