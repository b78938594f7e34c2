import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogues, passed } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Recommendations (issue 12, point 3) through the gateway: offerings across
 * all members that close the gap between the passport and a goal, explained,
 * and a plan within the ECTS budget; constraints are hard filters; the
 * public catalogue is cached, not pulled from 13 members per request.
 */

const ITEM = /* GraphQL */ `offering { id } title institution { id } ects mode languages score components { exact hierarchy buildsOn interest goal } covers { skill { uri } label how viaGroup { uri } weight } buildsOn { uri } explanation`;
const RECOMMEND = /* GraphQL */ `
  query ($id: ID!, $goal: RecommendationGoalInput, $constraints: RecommendationConstraintsInput, $first: Int) {
    learner(id: $id) {
      recommendations(goal: $goal, constraints: $constraints, first: $first) {
        gap { uri } considered notes
        ranked { ${ITEM} }
        plan { ects coverage covered { uri } uncovered { uri } offerings { offering { id } ects } }
      }
    }
  }
`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const argumentsOf = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['argument']);
const offerings = [...catalogues.values()].flat();
const learnerId = passed[0]!.learnerId;
const held = new Set(passed.filter((item) => item.learnerId === learnerId).flatMap((item) => item.achievement.skills.map((skill) => skill.skillUri)));
// Goal skills the learner lacks and the catalogue teaches.
const taught = [...new Set(offerings.flatMap((offering) => offering.outcomes.map((outcome) => outcome.skillUri).filter((uri): uri is string => Boolean(uri))))].sort();
const goalSkills = taught.filter((uri) => !held.has(uri)).slice(0, 4);

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('recommendations', () => {
  it('rank offerings that cover the gap with their explanation, and plan within the budget, the same answer twice', async () => {
    const me = await asLearner(hub.hub, learnerId);
    const calls: string[] = [];
    hub.hub.passportService.observe = (call) => calls.push(call.service);
    const first = await hub.query(RECOMMEND, { id: learnerId, goal: { skillUris: goalSkills }, constraints: { ectsBudget: 6 } }, me);
    const coldMembers = calls.filter((service) => service === 'members').length;
    calls.length = 0;
    const second = await hub.query(RECOMMEND, { id: learnerId, goal: { skillUris: goalSkills }, constraints: { ectsBudget: 6 } }, me);
    hub.hub.passportService.observe = undefined;
    expect(first.body.errors).toBeUndefined();
    expect(second.body).toEqual(first.body);
    // The catalogue is read once and cached: a warm request asks the router only for the learner's achievements.
    expect(coldMembers).toBeGreaterThan(1);
    expect(calls.filter((service) => service === 'members')).toEqual(['members']);

    const result = first.body.data?.['learner'].recommendations;
    expect(result.gap.map((skill: { uri: string }) => skill.uri)).toEqual([...goalSkills].sort());
    expect(result.ranked.length).toBeGreaterThan(0);
    const scores = result.ranked.map((item: { score: number }) => item.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const item of result.ranked) {
      const offering = offerings.find((candidate) => candidate.id === item.offering.id)!;
      const own = new Set(offering.outcomes.map((outcome) => outcome.skillUri));
      for (const cover of item.covers) {
        expect(goalSkills).toContain(cover.skill.uri);
        if (cover.how === 'EXACT') expect(own.has(cover.skill.uri)).toBe(true);
        else expect(cover.viaGroup).not.toBeNull();
      }
      expect(item.score).toBeCloseTo(item.components.exact + item.components.hierarchy + item.components.buildsOn + item.components.interest + item.components.goal, 5);
      expect(item.explanation).toContain(item.title);
      // Never an offering the learner already passed.
      expect(passed.some((done) => done.learnerId === learnerId && done.offering.id === item.offering.id)).toBe(false);
    }
    expect(result.plan.ects).toBeLessThanOrEqual(6);
    expect([...result.plan.covered, ...result.plan.uncovered].map((skill: { uri: string }) => skill.uri).sort()).toEqual([...goalSkills].sort());
  });

  it('apply constraints as hard filters, and answer contradictory ones with an empty result and the reason', async () => {
    const me = await asLearner(hub.hub, learnerId);
    const online = await hub.query(RECOMMEND, { id: learnerId, goal: { skillUris: goalSkills }, constraints: { modes: ['ONLINE'], languages: ['en'] } }, me);
    for (const item of online.body.data?.['learner'].recommendations.ranked) {
      expect(item.mode).toBe('ONLINE');
      expect(item.languages).toContain('en');
    }
    const nowhere = await hub.query(RECOMMEND, { id: learnerId, goal: { skillUris: goalSkills }, constraints: { startAfter: '2027-06-01', endBefore: '2027-01-01' } }, me);
    expect(nowhere.body.errors).toBeUndefined();
    const result = nowhere.body.data?.['learner'].recommendations;
    expect(result).toMatchObject({ ranked: [], considered: 0, plan: { offerings: [], ects: 0 } });
    expect(result.notes[0]).toMatch(/ends \(2027-01-01\) before it starts \(2027-06-01\)/);
  });

  it('take a pathway goal from its open requirements, and the scan when no goal is given', async () => {
    const me = await asLearner(hub.hub, learnerId);
    const skill = goalSkills[0] as string;
    const created = await hub.query(`mutation ($s: ID!) { createPathway(input: { name: "Skill stack", ectsMin: 200, minMembers: 1, requirements: [{ kind: SKILL, title: "The skill", skillUri: $s }] }) { id } }`, { s: skill }, await bearer(hub.hub, { role: 'alliance-admin' }));
    const pathwayId = created.body.data?.['createPathway'].id;
    const byPathway = await hub.query(RECOMMEND, { id: learnerId, goal: { pathwayId } }, me);
    expect(byPathway.body.data?.['learner'].recommendations.gap).toEqual([{ uri: skill }]);

    const noGoal = await hub.query(RECOMMEND, { id: learnerId }, me);
    expect(argumentsOf(noGoal.body)).toEqual(['goal']);
    await hub.query(`mutation ($s: [ID!]) { saveMotivationScan(input: { skillUris: $s, ectsBudget: 5 }) { revision } }`, { s: goalSkills.slice(1, 3) }, me);
    const fromScan = await hub.query(RECOMMEND, { id: learnerId }, me);
    expect(fromScan.body.data?.['learner'].recommendations.gap.map((entry: { uri: string }) => entry.uri)).toEqual([...goalSkills.slice(1, 3)].sort());
    expect(fromScan.body.data?.['learner'].recommendations.plan.ects).toBeLessThanOrEqual(5);
  });

  it('say clearly that occupation goals need the full ESCO import, never inventing links', async () => {
    const me = await asLearner(hub.hub, learnerId);
    const occupation = (await hub.query(`{ occupations(first: 1) { nodes { uri } } }`)).body.data?.['occupations'].nodes[0].uri;
    const { body } = await hub.query(RECOMMEND, { id: learnerId, goal: { occupationUri: occupation } }, me);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['learner'].recommendations).toMatchObject({ gap: [], ranked: [] });
    expect(body.data?.['learner'].recommendations.notes.join(' ')).toMatch(/occupationSkillRelations_en\.csv/);
  });

  it('refuse other callers and bad goals or budgets, naming the argument', async () => {
    const me = await asLearner(hub.hub, learnerId);
    for (const headers of [await asLearner(hub.hub, passed.find((item) => item.learnerId !== learnerId)!.learnerId), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(RECOMMEND, { id: learnerId, goal: { skillUris: goalSkills } }, headers)).body)).toEqual(['FORBIDDEN']);
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ goal: { skillUris: goalSkills }, constraints: { ectsBudget: 0 } }, 'constraints.ectsBudget'],
      [{ goal: { skillUris: goalSkills }, constraints: { ectsBudget: 10_000 } }, 'constraints.ectsBudget'],
      [{ goal: { skillUris: ['https://example.org/skills/1'] } }, 'goal.skillUris[0]'],
      [{ goal: { skillUris: ['http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000'] } }, 'goal.skillUris[0]'],
      [{ goal: { skillUris: goalSkills }, first: 0 }, 'first'],
    ];
    for (const [variables, argument] of cases) {
      const { body } = await hub.query(RECOMMEND, { id: learnerId, ...variables }, me);
      expect(codes(body), argument).toEqual(['BAD_USER_INPUT']);
      expect(argumentsOf(body)).toEqual([argument]);
    }
  });
});
